namespace Rpc25519.JSync.Protocol;

/// <summary>What a tree entry is. Other kinds (devices, FIFOs, sockets) are not synced.</summary>
public enum EntryKind
{
    /// <summary>A regular file.</summary>
    File = 0,

    /// <summary>A directory.</summary>
    Directory = 1,

    /// <summary>A symbolic link, synced as a link (its target text), never followed.</summary>
    Symlink = 2,
}
