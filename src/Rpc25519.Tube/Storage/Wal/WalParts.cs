using Microsoft.Extensions.Logging;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.Storage.Disks;

namespace Rpc25519.Tube.Storage.Wal;

/// <summary>What opening a log directory yields: the recovered state and the objects that carry on writing.</summary>
internal sealed record WalParts(
    IStorageFileSystem FileSystem,
    string Directory,
    LogMirror Mirror,
    WalWriter Writer,
    IDisposable Lock,
    ILogger Logger,
    RaftPersistentState Recovered);
