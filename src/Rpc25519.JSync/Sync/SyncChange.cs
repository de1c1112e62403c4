using MessagePack;
using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>One line of a change list: a relative path, what happens to it, and the kind of the entry.</summary>
[MessagePackObject]
public sealed record SyncChange
{
    /// <summary>Relative path ('/'-separated; "" is the root).</summary>
    [Key(0)] public string Path { get; init; } = "";

    /// <summary>What happens.</summary>
    [Key(1)] public ChangeAction Action { get; init; }

    /// <summary>The entry's kind (for a delete, the kind being removed).</summary>
    [Key(2)] public EntryKind Kind { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Action.ToString().ToLowerInvariant()} {Kind.ToString().ToLowerInvariant()} {Path}";
}
