namespace Rpc25519.Transport.Quic;

/// <summary>
/// The native QUIC libraries (ngtcp2 0.12 with its GnuTLS helper, GnuTLS 3.7 or later) are missing or of another
/// version. The message names the Debian packages to install.
/// </summary>
public sealed class QuicLibraryMissingException : RpcException
{
    /// <summary>The packages that provide the libraries on Debian 12.</summary>
    public const string DebianPackages = "libngtcp2-9 libngtcp2-crypto-gnutls2 libgnutls30";

    /// <summary>Creates the error; <paramref name="what"/> says which library failed and how.</summary>
    public QuicLibraryMissingException(string what)
        : base($"The QUIC transport cannot load its native libraries: {what}. Install them with " +
            $"'apt-get install {DebianPackages}' (Debian 12), or choose the TLS transport.")
    {
    }
}
