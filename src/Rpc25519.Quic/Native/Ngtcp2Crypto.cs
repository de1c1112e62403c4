using System.Runtime.InteropServices;

namespace Rpc25519.Transport.Quic.Native;

/// <summary>ngtcp2's GnuTLS crypto helper (library name <c>ngtcp2_crypto_gnutls</c>, resolved to
/// <c>libngtcp2_crypto_gnutls.so.2</c>). Its ready-made ngtcp2 callbacks are looked up as exports by
/// <see cref="QuicLibrary"/>.</summary>
internal static unsafe partial class Ngtcp2Crypto
{
    public const string Library = "ngtcp2_crypto_gnutls";

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_gnutls_configure_client_session")]
    public static partial int ConfigureClientSession(nint session);

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_gnutls_configure_server_session")]
    public static partial int ConfigureServerSession(nint session);

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_gnutls_from_gnutls_record_encryption_level")]
    public static partial int FromGnuTlsLevel(int gnutlsLevel);

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_derive_and_install_rx_key")]
    public static partial int DeriveAndInstallRxKey(nint connection, byte* key, byte* iv, byte* hp, int level,
        byte* secret, nuint secretLength);

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_derive_and_install_tx_key")]
    public static partial int DeriveAndInstallTxKey(nint connection, byte* key, byte* iv, byte* hp, int level,
        byte* secret, nuint secretLength);

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_generate_stateless_reset_token")]
    public static partial int GenerateStatelessResetToken(byte* token, byte* secret, nuint secretLength, NgCid* cid);

    /// <summary>Longest token <see cref="GenerateRetryToken"/> writes (<c>NGTCP2_CRYPTO_MAX_RETRY_TOKENLEN</c>).</summary>
    public const int MaxRetryTokenLength = 1 + 1 + 20 + 8 + 16 + 32;

    /// <summary>First byte of a Retry token made by <see cref="GenerateRetryToken"/>.</summary>
    public const byte RetryTokenMagic = 0xb6;

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_generate_retry_token")]
    public static partial nint GenerateRetryToken(byte* token, byte* secret, nuint secretLength, uint version,
        byte* remoteAddress, uint remoteAddressLength, NgCid* retryScid, NgCid* originalDcid, ulong timestamp);

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_verify_retry_token")]
    public static partial int VerifyRetryToken(NgCid* originalDcid, byte* token, nuint tokenLength, byte* secret,
        nuint secretLength, uint version, byte* remoteAddress, uint remoteAddressLength, NgCid* dcid, ulong timeout,
        ulong timestamp);

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_write_retry")]
    public static partial nint WriteRetry(byte* destination, nuint destinationLength, uint version, NgCid* dcid,
        NgCid* scid, NgCid* originalDcid, byte* token, nuint tokenLength);

    [LibraryImport(Library, EntryPoint = "ngtcp2_crypto_write_connection_close")]
    public static partial nint WriteConnectionClose(byte* destination, nuint destinationLength, uint version,
        NgCid* dcid, NgCid* scid, ulong errorCode, byte* reason, nuint reasonLength);
}
