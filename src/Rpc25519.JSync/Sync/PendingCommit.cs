namespace Rpc25519.JSync.Sync;

/// <summary>A verified, fsynced temp file waiting to be renamed over its target at the end of the sync.</summary>
/// <param name="RelativePath">The target's path relative to the root.</param>
/// <param name="TempPath">Full path of the temp file.</param>
/// <param name="TargetPath">Full path of the target.</param>
internal sealed record PendingCommit(string RelativePath, string TempPath, string TargetPath);
