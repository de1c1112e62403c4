using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>One file the taker wants: an id that names the file in every later message, and its path.</summary>
[MessagePackObject]
public sealed record FileRequest
{
    /// <summary>Names this file in <see cref="FilePlan"/>, <see cref="FileEnd"/> and <see cref="FileError"/>.</summary>
    [Key(0)] public int FileId { get; init; }

    /// <summary>Path relative to the giver's root.</summary>
    [Key(1)] public string Path { get; init; } = "";

    /// <summary>
    /// Send every byte as a literal and copy nothing: the taker asks this when a rebuild that reused chunks failed its
    /// whole-file check (a file it summarized changed meanwhile, or two different chunks shared a summary's short hash).
    /// </summary>
    [Key(2)] public bool NoReuse { get; init; }
}
