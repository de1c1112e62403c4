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
        ITransport transport = config.TcpOnlyNoTls ? new TcpTransport(config.LoggerFactory) : new TlsTransport(config);
        return string.IsNullOrEmpty(config.PreSharedKeyPath) ? transport : new PskTransport(config, transport);
    }
}
