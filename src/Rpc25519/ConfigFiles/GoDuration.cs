using System.Globalization;
using System.Text;

namespace Rpc25519.ConfigFiles;

/// <summary>Durations written the way Go prints them (<c>1h2m3.5s</c>, <c>250ms</c>, <c>0s</c>, <c>-1ms</c>), as config
/// files in the original's style use them.</summary>
internal static class GoDuration
{
    private const long TicksPerMicrosecond = 10;

    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }
        var text = new StringBuilder();
        long ticks = value.Ticks;
        if (ticks < 0)
        {
            text.Append('-');
            ticks = -ticks;
        }
        if (ticks < TimeSpan.TicksPerSecond)
        {
            // Below a second Go uses one unit with a fraction: 1.5ms, 250us, 100ns.
            (long unit, string name) = ticks >= TimeSpan.TicksPerMillisecond ? (TimeSpan.TicksPerMillisecond, "ms")
                : ticks >= TicksPerMicrosecond ? (TicksPerMicrosecond, "us") : (0, "ns");
            if (unit == 0)
            {
                return text.Append(ticks * 100).Append("ns").ToString();
            }
            return text.Append(Fraction(ticks, unit)).Append(name).ToString();
        }
        long hours = ticks / TimeSpan.TicksPerHour;
        ticks %= TimeSpan.TicksPerHour;
        long minutes = ticks / TimeSpan.TicksPerMinute;
        ticks %= TimeSpan.TicksPerMinute;
        if (hours > 0)
        {
            text.Append(hours).Append('h');
        }
        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes).Append('m');
        }
        return text.Append(Fraction(ticks, TimeSpan.TicksPerSecond)).Append('s').ToString();
    }

    /// <exception cref="FormatException">Not a Go duration.</exception>
    public static TimeSpan Parse(string text)
    {
        string s = text.Trim();
        if (s is "0" or "")
        {
            return s == "0" ? TimeSpan.Zero : throw new FormatException("An empty duration; write e.g. \"0s\" or \"9s\".");
        }
        bool negative = s[0] == '-';
        int i = s[0] is '-' or '+' ? 1 : 0;
        decimal totalTicks = 0;
        bool any = false;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == start || !decimal.TryParse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint,
                    CultureInfo.InvariantCulture, out decimal number))
            {
                throw Bad(text);
            }
            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }
            decimal unit = s[unitStart..i] switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => throw Bad(text),
            };
            totalTicks += number * unit;
            any = true;
        }
        if (!any || totalTicks > TimeSpan.MaxValue.Ticks)
        {
            throw Bad(text);
        }
        long ticks = (long)Math.Round(totalTicks);
        return TimeSpan.FromTicks(negative ? -ticks : ticks);
    }

    private static string Fraction(long ticks, long unit)
    {
        decimal value = (decimal)ticks / unit;
        return value.ToString("0.#######", CultureInfo.InvariantCulture);
    }

    private static FormatException Bad(string text) =>
        new($"'{text}' is not a duration; write it like \"9s\", \"1m30s\", \"250ms\" or \"0s\".");
}
