namespace Rpc25519.Security;

/// <summary>Our side rejects a peer's certificate or key; carries the TLS alert that tells the peer why.</summary>
internal sealed class CertificateRejectedException(short alertDescription, string message)
    : AuthenticationRejectedException(message)
{
    /// <summary>The TLS alert to send (<see cref="Org.BouncyCastle.Tls.AlertDescription"/>).</summary>
    public short AlertDescription { get; } = alertDescription;
}
