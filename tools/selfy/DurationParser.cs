using System.Globalization;

namespace Rpc25519.Tools.Selfy;

/// <summary>Parses lifetimes such as <c>30d</c>, <c>2y</c> (365.25 days), <c>12h</c>, <c>90m</c>, <c>45s</c>.</summary>
internal static class DurationParser
{
    public static TimeSpan? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        string number = text[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0)
        {
            throw new FormatException($"'{text}' is not a duration; write e.g. 30d, 2y, 12h, 90m or 45s.");
        }
        return char.ToLowerInvariant(text[^1]) switch
        {
            'y' => TimeSpan.FromDays(value * 365.25),
            'd' => TimeSpan.FromDays(value),
            'h' => TimeSpan.FromHours(value),
            'm' => TimeSpan.FromMinutes(value),
            's' => TimeSpan.FromSeconds(value),
            _ => throw new FormatException($"'{text}' has an unknown unit; use y, d, h, m or s."),
        };
    }
}
