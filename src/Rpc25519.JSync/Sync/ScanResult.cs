using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>A scanned tree: entries in deterministic order, and the partial files found on the way.</summary>
/// <param name="Entries">Entries in scan order: each directory before its children, siblings by ordinal name.</param>
/// <param name="Partials">Relative paths of partial files, keyed by the relative path of the file each rebuilds.</param>
/// <param name="Skipped">Entries that are neither file, directory nor symlink (devices, FIFOs, sockets).</param>
public sealed record ScanResult(
    IReadOnlyList<TreeEntry> Entries,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Partials,
    IReadOnlyList<string> Skipped);
