using System.Globalization;

namespace Rpc25519.Tools;

/// <summary>Durations on the command line: a number with ms, s, m or h (10s, 500ms, 1.5m).</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string flag)
    {
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ when text.EndsWith('h') => (text[..^1], 3_600_000.0),
            _ => ("", 0.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || value <= 0 || scale == 0)
        {
            throw new UsageException($"{flag} {text}: give a positive duration such as 10s, 500ms, 2m or 1h");
        }

        return TimeSpan.FromMilliseconds(value * scale);
    }
}
