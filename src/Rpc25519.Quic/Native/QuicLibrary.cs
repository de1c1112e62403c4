using System.Reflection;
using System.Runtime.InteropServices;

namespace Rpc25519.Transport.Quic.Native;

/// <summary>
/// Loads ngtcp2, its GnuTLS crypto helper and GnuTLS once per process, checks their versions, and points this
/// assembly's P/Invoke declarations at them. The ngtcp2 API before 1.0 changes between minor versions, so exactly the
/// 0.12 series is accepted.
/// </summary>
internal static unsafe class QuicLibrary
{
    /// <summary>The file names tried for each library, first the versioned soname Debian installs.</summary>
    public static readonly string[] Ngtcp2Names = ["libngtcp2.so.9", "libngtcp2.so"];
    public static readonly string[] CryptoNames = ["libngtcp2_crypto_gnutls.so.2", "libngtcp2_crypto_gnutls.so"];
    public static readonly string[] GnuTlsNames = ["libgnutls.so.30", "libgnutls.so"];

    private static readonly Lock LoadLock = new();
    private static Handles? _handles;

    /// <summary>The loaded libraries and the crypto helper's ready-made callbacks.</summary>
    public sealed record Handles(nint Ngtcp2, nint Crypto, nint GnuTls, string Version, CryptoCallbacks Callbacks);

    /// <summary>Addresses of ngtcp2_crypto's callbacks, put into <see cref="NgCallbacks"/> as they are.</summary>
    public sealed record CryptoCallbacks(nint ClientInitial, nint RecvClientInitial, nint RecvCryptoData,
        nint Encrypt, nint Decrypt, nint HpMask, nint RecvRetry, nint UpdateKey, nint DeleteAeadContext,
        nint DeleteCipherContext, nint GetPathChallengeData, nint VersionNegotiation);

    /// <summary>Loads the libraries on first use.</summary>
    /// <exception cref="QuicLibraryMissingException">A library is missing or of an unsupported version.</exception>
    public static Handles Ensure()
    {
        lock (LoadLock)
        {
            if (_handles is not null)
            {
                return _handles;
            }
            Handles handles = Load(Ngtcp2Names, CryptoNames, GnuTlsNames);
            NativeLibrary.SetDllImportResolver(typeof(QuicLibrary).Assembly, Resolve);
            _handles = handles;
            return handles;
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        Handles? handles = _handles;
        return name switch
        {
            Ngtcp2.Library => handles?.Ngtcp2 ?? 0,
            Ngtcp2Crypto.Library => handles?.Crypto ?? 0,
            GnuTls.Library => handles?.GnuTls ?? 0,
            _ => 0,
        };
    }

    /// <summary>Loads and checks the libraries by the given file names (tests pass wrong names to see the
    /// error).</summary>
    /// <exception cref="QuicLibraryMissingException">A library is missing or of an unsupported version.</exception>
    internal static Handles Load(string[] ngtcp2Names, string[] cryptoNames, string[] gnutlsNames)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new QuicLibraryMissingException("the QUIC transport runs on Linux only");
        }
        nint gnutls = Open(gnutlsNames, "GnuTLS");
        nint ngtcp2 = Open(ngtcp2Names, "ngtcp2");
        nint crypto = Open(cryptoNames, "ngtcp2's GnuTLS crypto helper");
        var version = (delegate* unmanaged<int, NgInfo*>)Export(ngtcp2, "ngtcp2_version");
        NgInfo* info = version(0);
        string text = info is null ? "?" : Marshal.PtrToStringUTF8((nint)info->VersionString) ?? "?";
        if (info is null || (info->VersionNumber >> 8) != 0x000c)
        {
            throw new QuicLibraryMissingException($"ngtcp2 {text} is loaded but this transport is built for the " +
                "0.12 series (its API changed before 1.0)");
        }
        var check = (delegate* unmanaged<byte*, byte*>)Export(gnutls, "gnutls_check_version");
        fixed (byte* required = "3.7.0\0"u8)
        {
            if (check(required) is null)
            {
                throw new QuicLibraryMissingException("GnuTLS is older than 3.7.0 (QUIC support)");
            }
        }
        var callbacks = new CryptoCallbacks(
            Export(crypto, "ngtcp2_crypto_client_initial_cb"), Export(crypto, "ngtcp2_crypto_recv_client_initial_cb"),
            Export(crypto, "ngtcp2_crypto_recv_crypto_data_cb"), Export(crypto, "ngtcp2_crypto_encrypt_cb"),
            Export(crypto, "ngtcp2_crypto_decrypt_cb"), Export(crypto, "ngtcp2_crypto_hp_mask_cb"),
            Export(crypto, "ngtcp2_crypto_recv_retry_cb"), Export(crypto, "ngtcp2_crypto_update_key_cb"),
            Export(crypto, "ngtcp2_crypto_delete_crypto_aead_ctx_cb"),
            Export(crypto, "ngtcp2_crypto_delete_crypto_cipher_ctx_cb"),
            Export(crypto, "ngtcp2_crypto_get_path_challenge_data_cb"),
            Export(crypto, "ngtcp2_crypto_version_negotiation_cb"));
        return new Handles(ngtcp2, crypto, gnutls, text, callbacks);
    }

    private static nint Open(string[] names, string what)
    {
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out nint handle))
            {
                return handle;
            }
        }
        throw new QuicLibraryMissingException($"{what} was not found (tried {string.Join(", ", names)})");
    }

    private static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out nint address)
            ? address
            : throw new QuicLibraryMissingException($"the loaded library has no '{name}'");
}
