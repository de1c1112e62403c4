using System.Globalization;
using System.Text.RegularExpressions;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// Names of the temp files a rebuild writes: <c>.NAME.N.jsync-part</c> beside the target NAME. A temp left by an
/// interrupted run is a "partial": the next run indexes its chunks, so what already arrived is not sent again.
/// Scans never report partials as tree entries.
/// </summary>
internal static partial class PartialFiles
{
    private const string Suffix = ".jsync-part";

    [GeneratedRegex(@"^\.(.+)\.(\d+)\.jsync-part$", RegexOptions.CultureInvariant)]
    private static partial Regex PartialName();

    /// <summary>True for a partial's file name; <paramref name="targetName"/> is the name of the file it rebuilds.</summary>
    public static bool TryParse(string fileName, out string targetName, out int number)
    {
        Match m = PartialName().Match(fileName);
        if (!m.Success || !int.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            targetName = "";
            number = 0;
            return false;
        }
        targetName = m.Groups[1].Value;
        return true;
    }

    /// <summary>The name of partial number <paramref name="number"/> for <paramref name="targetName"/>.</summary>
    public static string Name(string targetName, int number) =>
        "." + targetName + "." + number.ToString(CultureInfo.InvariantCulture) + Suffix;
}
