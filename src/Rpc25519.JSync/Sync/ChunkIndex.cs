using Rpc25519.JSync.Hashing;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>
/// The giver's tree-wide index: chunk hash → one place where the taker holds it, built from the taker's summaries and
/// from the literals already sent in this sync. Keyed by the hash's first 8 bytes, which is what a summary carries
/// (see <see cref="FileSummary"/>). The first location added for a hash wins, so the index is deterministic for a given
/// order of additions; never enumerated, so hash order reaches no decision. Not thread-safe (the giver is one loop).
/// </summary>
public sealed class ChunkIndex
{
    private readonly Dictionary<ulong, ChunkLocation> _locations = [];

    /// <summary>Distinct chunks indexed.</summary>
    public int Count => _locations.Count;

    /// <summary>Indexes a chunk; a hash already present keeps its first location.</summary>
    public void Add(ChunkHash hash, ChunkLocation location) => _locations.TryAdd(hash.Prefix, location);

    /// <summary>Indexes every chunk of a summary batch of source <paramref name="source"/>.</summary>
    public void Add(int source, IEnumerable<ChunkRecord> chunks)
    {
        foreach (ChunkRecord c in chunks)
        {
            Add(c.Hash, new ChunkLocation(source, c.Offset, c.Length));
        }
    }

    /// <summary>True when the taker holds a chunk with this hash (compared on its first 8 bytes).</summary>
    public bool Contains(ChunkHash hash) => _locations.ContainsKey(hash.Prefix);

    /// <summary>Finds where the taker holds a chunk.</summary>
    public bool TryGet(ChunkHash hash, out ChunkLocation location) => _locations.TryGetValue(hash.Prefix, out location);
}
