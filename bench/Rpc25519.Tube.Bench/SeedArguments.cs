using System.Globalization;

namespace Rpc25519.Tube.Bench;

/// <summary>
/// Parses the seed arguments of the soak commands (a seed count, a first seed, one seed). A bad or missing argument
/// is reported on standard error with the command's usage line, and the command exits with 2 instead of a stack
/// trace.
/// </summary>
internal static class SeedArguments
{
    public const int UsageExitCode = 2;

    /// <summary>The argument at <paramref name="position"/> as a whole number in [<paramref name="min"/>,
    /// <paramref name="max"/>], or <paramref name="fallback"/> if absent and a fallback is given; null after
    /// printing the error.</summary>
    public static ulong? Number(string[] args, int position, string name, ulong min, ulong max, string usage,
        ulong? fallback = null)
    {
        if (position >= args.Length || args[position].StartsWith("--", StringComparison.Ordinal))
        {
            return fallback ?? Fail($"{name} is missing", usage);
        }

        string text = args[position];
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value) ||
            value < min || value > max)
        {
            return Fail($"{name} must be a whole number from {min} to {max}, not '{text}'", usage);
        }

        return value;
    }

    /// <summary>Refuses arguments after the expected ones, other than the flags the command knows.</summary>
    public static bool NoExtra(string[] args, int expected, string usage, params string[] flags)
    {
        foreach (string extra in args.Skip(expected))
        {
            if (!flags.Contains(extra))
            {
                Fail($"unexpected argument '{extra}'", usage);
                return false;
            }
        }

        return true;
    }

    private static ulong? Fail(string problem, string usage)
    {
        Console.Error.WriteLine($"{problem}. Usage: {usage}");
        return null;
    }
}
