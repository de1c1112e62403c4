using System.Buffers;
using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl;

namespace Rpc25519.Transport;

/// <summary>
/// The TLS record AEAD (ChaCha20-Poly1305) done by <see cref="ChaCha20Poly1305"/>, which .NET backs with the
/// platform's native library (OpenSSL on Linux): several times faster than BouncyCastle's managed engine.
/// </summary>
/// <remarks>One instance serves one direction of one connection; BouncyCastle calls it from one thread at a
/// time.</remarks>
internal sealed class TlsChaCha20Poly1305Cipher(bool encrypting) : TlsAeadCipherImpl
{
    private const int KeyBytes = 32;
    private const int TagBytes = 16;
    private const int NonceBytes = 12;

    private readonly byte[] _nonce = new byte[NonceBytes];
    private ChaCha20Poly1305? _aead;
    private byte[] _additionalData = [];

    /// <summary>Records sealed or opened since the last key was set: the next record's sequence number.</summary>
    public long RecordsSinceKey { get; private set; }

    /// <summary>A copy of the current key (to check a direct record layer derived the same one).</summary>
    public byte[] CurrentKey { get; private set; } = [];

    public void SetKey(byte[] key, int keyOff, int keyLen) => SetKey(key.AsSpan(keyOff, keyLen));

    public void SetKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyBytes)
        {
            throw new TlsFatalAlert(AlertDescription.internal_error, "ChaCha20-Poly1305 needs a 32-byte key");
        }
        _aead?.Dispose();
        _aead = new ChaCha20Poly1305(key);
        CurrentKey = key.ToArray();
        RecordsSinceKey = 0;
    }

    public void Init(byte[] nonce, int macSize, byte[]? additionalData)
    {
        if (nonce.Length != NonceBytes || macSize != TagBytes)
        {
            throw new TlsFatalAlert(AlertDescription.internal_error, "unexpected ChaCha20-Poly1305 parameters");
        }
        nonce.CopyTo(_nonce, 0);
        _additionalData = additionalData ?? [];
    }

    public int GetOutputSize(int inputLength) => encrypting ? inputLength + TagBytes : inputLength - TagBytes;

    public int DoFinal(byte[] input, int inputOffset, int inputLength, byte[] output, int outputOffset) =>
        DoFinal(_additionalData, input, inputOffset, inputLength, output, outputOffset);

    public int DoFinal(byte[]? additionalData, byte[] input, int inputOffset, int inputLength, byte[] output,
        int outputOffset)
    {
        ChaCha20Poly1305 aead = _aead ?? throw new TlsFatalAlert(AlertDescription.internal_error, "no key set");
        RecordsSinceKey++;
        ReadOnlySpan<byte> ad = additionalData ?? [];
        ReadOnlySpan<byte> source = input.AsSpan(inputOffset, inputLength);
        bool partialOverlap = ReferenceEquals(input, output) && inputOffset != outputOffset
            && inputOffset < outputOffset + inputLength + TagBytes && outputOffset < inputOffset + inputLength;
        byte[]? copy = null;
        if (partialOverlap)
        {
            copy = ArrayPool<byte>.Shared.Rent(inputLength);
            source.CopyTo(copy);
            source = copy.AsSpan(0, inputLength);
        }
        try
        {
            if (encrypting)
            {
                aead.Encrypt(_nonce, source, output.AsSpan(outputOffset, inputLength),
                    output.AsSpan(outputOffset + inputLength, TagBytes), ad);
                return inputLength + TagBytes;
            }
            int plainLength = inputLength - TagBytes;
            if (plainLength < 0)
            {
                throw new TlsFatalAlert(AlertDescription.bad_record_mac);
            }
            try
            {
                aead.Decrypt(_nonce, source[..plainLength], source[plainLength..],
                    output.AsSpan(outputOffset, plainLength), ad);
            }
            catch (AuthenticationTagMismatchException e)
            {
                throw new TlsFatalAlert(AlertDescription.bad_record_mac, e);
            }
            return plainLength;
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }
    }

    public void Reset()
    {
        // Nothing to reset: every DoFinal is a complete one-shot operation.
    }
}
