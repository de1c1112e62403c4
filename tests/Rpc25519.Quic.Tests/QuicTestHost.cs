using Rpc25519.Tests.Integration;
using Rpc25519.Transport.Quic;

namespace Rpc25519.Quic.Tests;

/// <summary>Options for QUIC servers and clients on loopback, built on the TLS tests' settings.</summary>
internal static class QuicTestHost
{
    /// <summary>TLS test settings with QUIC chosen; each call makes its own transport (no port sharing between
    /// them).</summary>
    public static RpcOptions Config(string certs, QuicOptions? quic = null)
    {
        NativePrerequisite.Ensure();
        return TlsTestHost.Config(certs).UseQuic(quic);
    }

    /// <summary>Client options for <paramref name="server"/>: a clone of <paramref name="config"/>, so it shares the
    /// transport (and by default the UDP port) of whoever was made from <paramref name="config"/>.</summary>
    public static RpcOptions ClientOf(RpcServer server, RpcOptions config)
    {
        RpcOptions copy = config.Clone();
        copy.ServerAddress = server.LocalAddress;
        return copy;
    }
}
