using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Transport;

/// <summary>A temp directory with an empty server root and an empty source tree, and the class's certificates.</summary>
public abstract class TransportTestBase : IClassFixture<JSyncCerts>, IDisposable
{
    private readonly TempDir _temp = new();

    protected TransportTestBase(JSyncCerts certs)
    {
        Certs = certs;
        Directory.CreateDirectory(ServerRoot);
        Directory.CreateDirectory(Source);
    }

    protected JSyncCerts Certs { get; }

    protected string ServerRoot => _temp.Combine("server-root");

    protected string Source => _temp.Combine("src");

    /// <summary>A path in the temp directory.</summary>
    protected string Temp(string name) => _temp.Combine(name);

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }
}
