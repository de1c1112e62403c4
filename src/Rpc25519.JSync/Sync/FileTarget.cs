using Rpc25519.JSync.Protocol;

namespace Rpc25519.JSync.Sync;

/// <summary>A file the taker requested: its id, the giver's entry, where it goes, its temp file and older partials.</summary>
/// <param name="Id">The file id used on the wire.</param>
/// <param name="Entry">The giver's entry for the file.</param>
/// <param name="TargetPath">Full path of the target.</param>
/// <param name="TempPath">Full path of the temp file this run writes.</param>
/// <param name="Partials">Full paths of partials left by earlier runs (chunk sources).</param>
internal sealed record FileTarget(int Id, TreeEntry Entry, string TargetPath, string TempPath, List<string> Partials);
