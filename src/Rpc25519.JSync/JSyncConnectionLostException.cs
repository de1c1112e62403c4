namespace Rpc25519.JSync;

/// <summary>
/// The connection (or circuit) to the other side closed in the middle of a sync. Files finished before the cut are in
/// place; a file that was being rebuilt was not put in place (its target is untouched). Run the same sync again to
/// resume.
/// </summary>
public sealed class JSyncConnectionLostException : JSyncException
{
    /// <summary>Creates the exception with the transport's reason and the transport's error.</summary>
    public JSyncConnectionLostException(string reason, Exception innerException)
        : base(
            $"The connection to the other side was lost during the sync ({reason}). Nothing half-written was put " +
            "in place; run the same sync again to resume.",
            innerException)
    {
        Reason = reason;
    }

    /// <summary>What the transport said about the cut.</summary>
    public string Reason { get; }
}
