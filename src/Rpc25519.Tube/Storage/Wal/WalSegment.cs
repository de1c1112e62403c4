using System.Globalization;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>Segment file names: the sequence number in 20 digits, so names sort as numbers do.</summary>
internal static class WalSegment
{
    private const string Suffix = ".wal";

    public static string FileName(long sequence) => sequence.ToString("D20", CultureInfo.InvariantCulture) + Suffix;

    /// <summary>Parses a segment file name; false for any other file.</summary>
    public static bool TryParse(string fileName, out long sequence)
    {
        sequence = 0;
        return fileName.Length == 20 + Suffix.Length && fileName.EndsWith(Suffix, StringComparison.Ordinal) &&
            long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out sequence) &&
            sequence > 0;
    }
}
