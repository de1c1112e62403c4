namespace Rpc25519.Tube.StateMachines.Changes;

/// <summary>What a <see cref="ChangeEvent"/> records.</summary>
public enum ChangeKind
{
    /// <summary>A key was written (created or updated).</summary>
    Put = 0,

    /// <summary>A key was deleted.</summary>
    Delete = 1,

    /// <summary>A key's lease ended early: released by its holder, or its session closed or expired.</summary>
    LeaseReleased = 2,

    /// <summary>A table was created.</summary>
    TableCreated = 3,

    /// <summary>A table was dropped with every key in it.</summary>
    TableDropped = 4,

    /// <summary>A table was renamed; <see cref="ChangeEvent.Table"/> is the old name and
    /// <see cref="ChangeEvent.Value"/> the new name in UTF-8.</summary>
    TableRenamed = 5,
}
