using System.CommandLine;
using Rpc25519.Tube.Client;
using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tools.Tup;

/// <summary>tup's command line: with no command, the interactive shell (<see cref="TupShell"/>); with one of get,
/// put, del, cas, range, prefix, tables or watch, that one operation for scripts. Exit codes as
/// <see cref="ToolErrors"/> says: 0 done, 1 the cluster refused or did not answer, 2 a bad command line, 3 the key is
/// absent or a compare-and-swap's condition did not hold.</summary>
internal static class TupCommand
{
    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr,
        CancellationToken stop)
    {
        var flags = new TubeClientFlags();
        var table = new Option<string>("-t", "--table")
        {
            Description = "the table (default base)", DefaultValueFactory = _ => "base", Recursive = true,
        };
        var json = new Option<bool>("--json", "-json") { Description = "print JSON (one object per line)", Recursive = true };
        var root = new RootCommand("tup: the Tube shell. With no command it reads commands interactively (type " +
            "help); with a command it runs that one operation and exits 0 on success, 1 when the cluster refused " +
            "or did not answer, 2 on a bad command line, 3 when the key is absent or a cas condition failed.")
        {
            table, json,
        };
        flags.AddTo(root, recursive: true);

        // No command means the interactive shell: an action on the root keeps the parser from asking for one.
        root.SetAction(_ => ToolErrors.Ok);
        var commands = new TupOneShot(table, json);
        foreach (Command command in commands.All)
        {
            root.Subcommands.Add(command);
        }

        if (CommandLine.HelpOrErrors("tup", root, args, stdout, stderr) is { } early)
        {
            return early;
        }

        ParseResult parsed = root.Parse(args);
        try
        {
            TubeTarget target = flags.Resolve(parsed);
            await using var client = new TubeClient(target.Options);
            if (parsed.CommandResult.Command == root)
            {
                var shell = new TupShell(client, target, parsed.GetValue(table)!, stdout);
                return await shell.RunAsync(LineEditor.Create(stdin, stdout), stop);
            }

            return await commands.RunAsync(parsed, client, stdout, stderr, stop);
        }
        catch (Exception e) when (ToolErrors.Report("tup", e, stderr) is { } code)
        {
            return code;
        }
    }
}
