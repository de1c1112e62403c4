namespace Rpc25519.JSync.Sync;

/// <summary>What a sync does (or, in a dry run, would do) to one path on the taker.</summary>
public enum ChangeAction
{
    /// <summary>The entry is new.</summary>
    Create = 0,

    /// <summary>A file's contents or a symlink's target change.</summary>
    Update = 1,

    /// <summary>Only mode or mtime change.</summary>
    Metadata = 2,

    /// <summary>The entry is removed (only with --delete).</summary>
    Delete = 3,

    /// <summary>The entry changes kind (say, a file becomes a directory): the old one is removed first.</summary>
    Replace = 4,
}
