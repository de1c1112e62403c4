using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>Giver → taker: a batch of the giver's tree entries, in scan order. The last batch has <see cref="IsLast"/>.</summary>
[MessagePackObject]
[MessagePackFormatter(typeof(TreeListingFormatter))]
public sealed class TreeListing : JSyncMessage
{
    /// <summary>The entries of this batch.</summary>
    [Key(0)] public TreeEntry[] Entries { get; init; } = [];

    /// <summary>True on the final batch.</summary>
    [Key(1)] public bool IsLast { get; init; }
}
