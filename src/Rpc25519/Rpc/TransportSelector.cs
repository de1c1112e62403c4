using Rpc25519.Transport;

namespace Rpc25519.Rpc;

/// <summary>Picks the transport a config asks for.</summary>
internal static class TransportSelector
{
    /// <exception cref="RpcException">The config asks for a transport this build cannot provide.</exception>
    public static ITransport For(RpcConfig config)
    {
        if (config.Transport is { } custom)
        {
            return custom;
        }
        if (config.TcpOnlyNoTls)
        {
            return new TcpTransport(config.LoggerFactory);
        }
        throw new RpcException("TLS is not available in this build yet; set RpcConfig.TcpOnlyNoTls = true on both " +
            "sides for plain TCP on a trusted network.");
    }
}
