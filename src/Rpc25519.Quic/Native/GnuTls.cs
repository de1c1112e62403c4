using System.Runtime.InteropServices;

namespace Rpc25519.Transport.Quic.Native;

/// <summary>The GnuTLS 3.7 functions this transport calls (library name <c>gnutls</c>, resolved to
/// <c>libgnutls.so.30</c>).</summary>
internal static unsafe partial class GnuTls
{
    public const string Library = "gnutls";

    public const uint Server = 1;
    public const uint Client = 1 << 1;
    public const uint NoAutoSendTicket = 1 << 21;
    public const int CredentialsCertificate = 1;
    public const int CertificateRequire = 2;
    public const int FormatDer = 0;
    public const int NameDns = 1;
    public const uint AlpnMandatory = 1;
    public const int CipherChaCha20Poly1305 = 23;
    public const int ProtocolTls13 = 5;

    [LibraryImport(Library, EntryPoint = "gnutls_check_version")]
    public static partial byte* CheckVersion(byte* required);

    [LibraryImport(Library, EntryPoint = "gnutls_init")]
    public static partial int Init(nint* session, uint flags);

    [LibraryImport(Library, EntryPoint = "gnutls_deinit")]
    public static partial void Deinit(nint session);

    [LibraryImport(Library, EntryPoint = "gnutls_certificate_allocate_credentials")]
    public static partial int AllocateCredentials(nint* credentials);

    [LibraryImport(Library, EntryPoint = "gnutls_certificate_free_credentials")]
    public static partial void FreeCredentials(nint credentials);

    [LibraryImport(Library, EntryPoint = "gnutls_certificate_set_x509_key_mem2")]
    public static partial int SetKey(nint credentials, GnuTlsDatum* certificate, GnuTlsDatum* key, int format,
        byte* password, uint flags);

    [LibraryImport(Library, EntryPoint = "gnutls_certificate_set_x509_trust_mem")]
    public static partial int SetTrust(nint credentials, GnuTlsDatum* certificate, int format);

    [LibraryImport(Library, EntryPoint = "gnutls_credentials_set")]
    public static partial int SetCredentials(nint session, int type, nint credentials);

    [LibraryImport(Library, EntryPoint = "gnutls_priority_set_direct")]
    public static partial int SetPriority(nint session, byte* priorities, byte** errorPosition);

    [LibraryImport(Library, EntryPoint = "gnutls_server_name_set")]
    public static partial int SetServerName(nint session, int type, byte* name, nuint length);

    [LibraryImport(Library, EntryPoint = "gnutls_alpn_set_protocols")]
    public static partial int SetAlpn(nint session, GnuTlsDatum* protocols, uint count, uint flags);

    [LibraryImport(Library, EntryPoint = "gnutls_session_set_ptr")]
    public static partial void SetPointer(nint session, nint pointer);

    [LibraryImport(Library, EntryPoint = "gnutls_session_get_ptr")]
    public static partial nint GetPointer(nint session);

    [LibraryImport(Library, EntryPoint = "gnutls_session_set_verify_function")]
    public static partial void SetVerifyFunction(nint session, delegate* unmanaged<nint, int> function);

    [LibraryImport(Library, EntryPoint = "gnutls_handshake_set_secret_function")]
    public static partial void SetSecretFunction(nint session,
        delegate* unmanaged<nint, int, byte*, byte*, nuint, int> function);

    [LibraryImport(Library, EntryPoint = "gnutls_certificate_server_set_request")]
    public static partial void SetCertificateRequest(nint session, int request);

    [LibraryImport(Library, EntryPoint = "gnutls_certificate_get_peers")]
    public static partial GnuTlsDatum* GetPeerCertificates(nint session, uint* count);

    [LibraryImport(Library, EntryPoint = "gnutls_cipher_get")]
    public static partial int GetCipher(nint session);

    [LibraryImport(Library, EntryPoint = "gnutls_protocol_get_version")]
    public static partial int GetProtocolVersion(nint session);

    [LibraryImport(Library, EntryPoint = "gnutls_strerror")]
    public static partial byte* StrError(int error);

    /// <summary>The text of a GnuTLS error code.</summary>
    public static string ErrorText(int error) => Marshal.PtrToStringUTF8((nint)StrError(error)) ?? error.ToString(
        System.Globalization.CultureInfo.InvariantCulture);
}
