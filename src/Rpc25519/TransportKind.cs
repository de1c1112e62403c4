namespace Rpc25519;

/// <summary>Which transport <see cref="RpcServer"/> and <see cref="RpcClient"/> use (see
/// <see cref="RpcOptions.Transport"/>).</summary>
public enum TransportKind
{
    /// <summary>TLS 1.3 over TCP with Ed25519 identities on both ends (the default). Settings in
    /// <see cref="RpcOptions.Tls"/>.</summary>
    Tls = 0,

    /// <summary>Plain TCP, unencrypted and unauthenticated: for trusted networks only (Go: <c>TCPonly_no_TLS</c>).
    /// <see cref="RpcOptions.PreSharedKey"/> can still encrypt it.</summary>
    Tcp = 1,
}
