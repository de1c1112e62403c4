using System.CommandLine;

namespace Rpc25519.Tools;

/// <summary>Help, version and parse errors, the same way in every Tube client tool.</summary>
internal static class CommandLine
{
    /// <summary>Prints help or version (exit 0) or the parse errors (exit 2); null when the tool should run.</summary>
    public static int? HelpOrErrors(string tool, Command command, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ParseResult parsed = command.Parse(args);
        if (args.Contains("-h") || args.Contains("--help") || args.Contains("-?") || args.Contains("--version"))
        {
            parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
            return ToolErrors.Ok;
        }

        if (parsed.Errors.Count == 0)
        {
            return null;
        }

        foreach (var error in parsed.Errors)
        {
            stderr.WriteLine($"{tool}: error: {error.Message}");
        }

        stderr.WriteLine($"{tool}: see '{tool} -h'");
        return ToolErrors.Usage;
    }
}
