using Rpc25519.JSync.Chunking;

namespace Rpc25519.JSync.Sync;

/// <summary>Limits a receiver enforces on what the other side claims.</summary>
internal static class ChunkerLimits
{
    /// <summary>No copy or literal step may be longer than the largest allowed maximum chunk.</summary>
    public const int MaxChunk = ChunkerOptions.MaximumAllowed;
}
