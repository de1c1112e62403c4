using System.Runtime.InteropServices;

namespace Rpc25519.Transport.Quic.Native;

/// <summary>The ngtcp2 0.12 functions this transport calls (library name <c>ngtcp2</c>, resolved to
/// <c>libngtcp2.so.9</c> by <see cref="QuicLibrary"/>). Structures are passed by pointer; nothing here allocates
/// managed memory.</summary>
internal static unsafe partial class Ngtcp2
{
    public const string Library = "ngtcp2";

    public const int SettingsVersion = 1;
    public const int TransportParamsVersion = 1;
    public const int CallbacksVersion = 1;
    public const int PacketInfoVersion = 1;
    public const uint ProtocolVersion1 = 1;

    public const uint WriteStreamFlagFin = 0x02;
    public const uint StreamDataFlagFin = 0x01;

    public const int ErrorStreamDataBlocked = -210;
    public const int ErrorCrypto = -215;
    public const int ErrorStreamShutWrite = -221;
    public const int ErrorStreamNotFound = -222;
    public const int ErrorClosing = -230;
    public const int ErrorDraining = -231;
    public const int ErrorDropConnection = -242;
    public const int ErrorHandshakeTimeout = -246;
    public const int ErrorIdleClose = -248;
    public const int ErrorCallbackFailure = -502;

    /// <summary>The QUIC transport error code of a TLS alert is this plus the alert (RFC 9001 §4.8).</summary>
    public const ulong CryptoErrorBase = 0x100;

    /// <summary>Transport error <c>NGTCP2_INVALID_TOKEN</c>: the server refused an address-validation token.</summary>
    public const ulong InvalidTokenError = 0x0b;

    [LibraryImport(Library, EntryPoint = "ngtcp2_version")]
    public static partial NgInfo* Version(int leastVersion);

    [LibraryImport(Library, EntryPoint = "ngtcp2_settings_default_versioned")]
    public static partial void SettingsDefault(int version, NgSettings* settings);

    [LibraryImport(Library, EntryPoint = "ngtcp2_transport_params_default_versioned")]
    public static partial void TransportParamsDefault(int version, NgTransportParams* parameters);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_client_new_versioned")]
    public static partial int ClientNew(nint* connection, NgCid* dcid, NgCid* scid, NgPath* path, uint version,
        int callbacksVersion, NgCallbacks* callbacks, int settingsVersion, NgSettings* settings,
        int parametersVersion, NgTransportParams* parameters, nint memory, nint userData);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_server_new_versioned")]
    public static partial int ServerNew(nint* connection, NgCid* dcid, NgCid* scid, NgPath* path, uint version,
        int callbacksVersion, NgCallbacks* callbacks, int settingsVersion, NgSettings* settings,
        int parametersVersion, NgTransportParams* parameters, nint memory, nint userData);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_del")]
    public static partial void Delete(nint connection);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_read_pkt_versioned")]
    public static partial int ReadPacket(nint connection, NgPath* path, int packetInfoVersion, NgPacketInfo* info,
        byte* packet, nuint length, ulong timestamp);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_writev_stream_versioned")]
    public static partial nint WriteStream(nint connection, NgPath* path, int packetInfoVersion, NgPacketInfo* info,
        byte* destination, nuint destinationLength, nint* dataLength, uint flags, long streamId, NgVec* data,
        nuint dataCount, ulong timestamp);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_write_connection_close_versioned")]
    public static partial nint WriteConnectionClose(nint connection, NgPath* path, int packetInfoVersion,
        NgPacketInfo* info, byte* destination, nuint destinationLength, NgConnectionCloseError* error,
        ulong timestamp);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_get_expiry")]
    public static partial ulong GetExpiry(nint connection);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_handle_expiry")]
    public static partial int HandleExpiry(nint connection, ulong timestamp);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_update_pkt_tx_time")]
    public static partial void UpdatePacketTxTime(nint connection, ulong timestamp);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_open_bidi_stream")]
    public static partial int OpenBidiStream(nint connection, long* streamId, nint streamUserData);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_extend_max_stream_offset")]
    public static partial int ExtendMaxStreamOffset(nint connection, long streamId, ulong length);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_extend_max_offset")]
    public static partial void ExtendMaxOffset(nint connection, ulong length);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_set_tls_native_handle")]
    public static partial void SetTlsNativeHandle(nint connection, nint session);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_initiate_key_update")]
    public static partial int InitiateKeyUpdate(nint connection, ulong timestamp);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_set_keep_alive_timeout")]
    public static partial void SetKeepAliveTimeout(nint connection, ulong timeout);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_get_connection_close_error")]
    public static partial void GetConnectionCloseError(nint connection, NgConnectionCloseError* error);

    [LibraryImport(Library, EntryPoint = "ngtcp2_conn_get_tls_alert")]
    public static partial byte GetTlsAlert(nint connection);

    [LibraryImport(Library, EntryPoint = "ngtcp2_connection_close_error_set_transport_error_tls_alert")]
    public static partial void SetTlsAlertError(NgConnectionCloseError* error, byte alert, byte* reason,
        nuint reasonLength);

    [LibraryImport(Library, EntryPoint = "ngtcp2_connection_close_error_set_transport_error_liberr")]
    public static partial void SetLibraryError(NgConnectionCloseError* error, int libraryError, byte* reason,
        nuint reasonLength);

    [LibraryImport(Library, EntryPoint = "ngtcp2_connection_close_error_set_application_error")]
    public static partial void SetApplicationError(NgConnectionCloseError* error, ulong code, byte* reason,
        nuint reasonLength);

    [LibraryImport(Library, EntryPoint = "ngtcp2_pkt_decode_version_cid")]
    public static partial int DecodeVersionCid(NgVersionCid* destination, byte* data, nuint length,
        nuint shortDcidLength);

    [LibraryImport(Library, EntryPoint = "ngtcp2_accept")]
    public static partial int Accept(NgPacketHeader* header, byte* packet, nuint length);

    [LibraryImport(Library, EntryPoint = "ngtcp2_pkt_write_stateless_reset")]
    public static partial nint WriteStatelessReset(byte* destination, nuint destinationLength, byte* token,
        byte* random, nuint randomLength);

    [LibraryImport(Library, EntryPoint = "ngtcp2_strerror")]
    public static partial byte* StrError(int error);

    /// <summary>The text of an ngtcp2 error code.</summary>
    public static string ErrorText(int error) => Marshal.PtrToStringUTF8((nint)StrError(error)) ?? error.ToString(
        System.Globalization.CultureInfo.InvariantCulture);
}
