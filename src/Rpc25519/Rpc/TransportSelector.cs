using Rpc25519.Transport;

namespace Rpc25519.Rpc;

/// <summary>Picks the transport the options ask for, giving each layer only its own settings.</summary>
internal static class TransportSelector
{
    /// <exception cref="RpcException">The options ask for a transport this build cannot provide.</exception>
    public static ITransport For(RpcOptions options)
    {
        if (options.CustomTransport is { } custom)
        {
            return custom;
        }
        var environment = new TransportEnvironment(options.TimeProvider, options.TaskScheduler, options.LoggerFactory);
        ITransport transport = options.Transport switch
        {
            TransportKind.Tcp => new TcpTransport(options.LoggerFactory),
            TransportKind.Tls => new TlsTransport(options.Tls, inner: null, environment),
            _ => throw new RpcException($"RpcOptions.Transport is {options.Transport}, which this build does not " +
                "provide; use TransportKind.Tls or TransportKind.Tcp."),
        };
        return options.PreSharedKey.IsEnabled
            ? new PskTransport(options.PreSharedKey, transport, environment, options.Tls)
            : transport;
    }
}
