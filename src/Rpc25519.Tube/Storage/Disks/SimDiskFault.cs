namespace Rpc25519.Tube.Storage.Disks;

/// <summary>A byte the <see cref="SimDisk"/> flipped in synced data: where recovery must stop.</summary>
/// <param name="Path">The file.</param>
/// <param name="Offset">The byte offset of the flipped byte.</param>
public readonly record struct SimDiskFault(string Path, long Offset);
