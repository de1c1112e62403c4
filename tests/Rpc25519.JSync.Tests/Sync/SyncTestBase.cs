using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Sync;

public abstract class SyncTestBase : IDisposable
{
    private readonly TempDir _temp = new();

    protected SyncTestBase()
    {
        Source = _temp.Combine("src");
        Dest = _temp.Combine("dst");
        Directory.CreateDirectory(Source);
    }

    protected string Source { get; }

    protected string Dest { get; }

    protected string Scratch(string name) => _temp.Combine(name);

    protected static Task<SyncResult> Push(string source, string dest, SyncOptions? options = null) =>
        LocalSync.PushAsync(source, dest, options ?? new SyncOptions());

    protected static Task<SyncResult> Pull(string source, string dest, SyncOptions? options = null) =>
        LocalSync.PullAsync(source, dest, options ?? new SyncOptions());

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
