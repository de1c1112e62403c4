namespace Rpc25519.JSync;

/// <summary>
/// A rebuilt file did not match the giver's whole-file BLAKE3 or size. The target was left untouched and the temp
/// file removed; usually a source file changed during the sync: rerun it.
/// </summary>
public sealed class JSyncVerificationException : JSyncException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public JSyncVerificationException(string path, string detail)
        : base($"'{path}' failed verification ({detail}); the target was left as it was. A file probably changed " +
               "while it was being synced: run the sync again.")
    {
        FilePath = path;
    }

    /// <summary>The relative path of the file.</summary>
    public string FilePath { get; }
}
