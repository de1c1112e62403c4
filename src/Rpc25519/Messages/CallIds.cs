using System.Buffers.Binary;
using System.Buffers.Text;
using MessagePack;

namespace Rpc25519.Messages;

/// <summary>
/// The compact forms of a call ID. Every ID the library draws is 21 bytes, written on the wire as 28 characters of
/// base64url, and a header keeps it without a string (made only when someone reads <see cref="MessageHeader.CallId"/>):
/// <list type="bullet">
/// <item>a <see cref="Prefix"/> — the ID of a call: 13 random bytes drawn once per connection, followed by the call's
/// sequence number (8 bytes, big-endian), which the header holds anyway. Nothing is allocated per call, on either
/// side: the receiver recognises the pattern and shares one prefix object per connection.</item>
/// <item>a <see cref="byte"/> array of 21 bytes — any other such ID (drawn for one-way messages, or a call ID whose
/// header changed its sequence number afterwards, see <see cref="MessageHeader.SequenceNumber"/>).</item>
/// <item>a <see cref="string"/> — any other ID, kept as it was given.</item>
/// </list>
/// <see cref="RunningCallComparer"/> treats every form of one ID as equal.
/// </summary>
internal static class CallIds
{
    /// <summary>Bytes of a call ID the library draws: 168 bits.</summary>
    public const int RawBytes = 21;

    /// <summary>Characters of base64url for <see cref="RawBytes"/> bytes (no padding: 168 bits are 28 × 6).</summary>
    public const int TextChars = 28;

    /// <summary>Random bytes of a <see cref="Prefix"/>; the sequence number makes up the rest.</summary>
    public const int PrefixBytes = RawBytes - sizeof(ulong);

    /// <summary>The ID of the key as text.</summary>
    public static string ToText(object key, ulong sequenceNumber)
    {
        if (key is string text)
        {
            return text;
        }
        Span<byte> raw = stackalloc byte[RawBytes];
        ToRaw(key, sequenceNumber, raw);
        return Base64Url.EncodeToString(raw);
    }

    /// <summary>The length in characters of the ID of <paramref name="key"/>.</summary>
    public static int TextLength(object key) => key is string text ? text.Length : TextChars;

    /// <summary>Whether <paramref name="key"/> holds an ID (is not the empty string).</summary>
    public static bool IsSet(object key) => key is not string { Length: 0 };

    /// <summary>The 21 bytes of a key that is not a string.</summary>
    public static byte[] Freeze(object key, ulong sequenceNumber)
    {
        if (key is byte[] raw)
        {
            return raw;
        }
        byte[] bytes = new byte[RawBytes];
        ToRaw(key, sequenceNumber, bytes);
        return bytes;
    }

    /// <summary>Writes the ID of the key as a MessagePack string.</summary>
    public static void Write(ref MessagePackWriter writer, object key, ulong sequenceNumber)
    {
        if (key is string text)
        {
            writer.Write(text);
            return;
        }
        Span<byte> raw = stackalloc byte[RawBytes];
        ToRaw(key, sequenceNumber, raw);
        writer.WriteStringHeader(TextChars);
        Span<byte> utf8 = writer.GetSpan(TextChars);
        Base64Url.EncodeToUtf8(raw, utf8, out _, out int written);
        writer.Advance(written);
    }

    /// <summary>Reads an ID in the most compact form it has.</summary>
    /// <param name="reader">At the ID.</param>
    /// <param name="sequenceNumber">The header's sequence number if already read, else 0.</param>
    /// <param name="known">A key the ID may be the ID of (a waiting request's, or the connection's last prefix);
    /// returned instead of a new key when it is.</param>
    public static object Read(ref MessagePackReader reader, ulong sequenceNumber = 0, object? known = null)
    {
        if (!reader.TryReadStringSpan(out ReadOnlySpan<byte> utf8))
        {
            return reader.ReadString() ?? "";
        }
        Span<byte> raw = stackalloc byte[RawBytes];
        if (!TryDecode(utf8, raw))
        {
            return known is string text && text.Length == utf8.Length && System.Text.Ascii.Equals(utf8, text)
                ? text : System.Text.Encoding.UTF8.GetString(utf8);
        }
        if (sequenceNumber != 0 && BinaryPrimitives.ReadUInt64BigEndian(raw[PrefixBytes..]) == sequenceNumber)
        {
            return known is Prefix prefix && raw[..PrefixBytes].SequenceEqual(prefix.Bytes)
                ? prefix : new Prefix(raw[..PrefixBytes].ToArray());
        }
        return known is byte[] knownRaw && raw.SequenceEqual(knownRaw) ? knownRaw : raw.ToArray();
    }

    /// <summary>Reads the ID if it is <paramref name="prefix"/> followed by <paramref name="sequenceNumber"/> (then
    /// the key is <paramref name="prefix"/>); otherwise leaves <paramref name="reader"/> where it was. Allocates
    /// nothing either way.</summary>
    public static bool TryReadPrefixed(ref MessagePackReader reader, ulong sequenceNumber, Prefix prefix)
    {
        MessagePackReader peek = reader;
        if (sequenceNumber == 0 || !peek.TryReadStringSpan(out ReadOnlySpan<byte> utf8))
        {
            return false;
        }
        Span<byte> raw = stackalloc byte[RawBytes];
        if (!TryDecode(utf8, raw) || BinaryPrimitives.ReadUInt64BigEndian(raw[PrefixBytes..]) != sequenceNumber
            || !raw[..PrefixBytes].SequenceEqual(prefix.Bytes))
        {
            return false;
        }
        reader = peek;
        return true;
    }

    /// <summary>Writes the 21 bytes of a key that is not a string into <paramref name="raw"/>.</summary>
    private static void ToRaw(object key, ulong sequenceNumber, Span<byte> raw)
    {
        if (key is Prefix prefix)
        {
            prefix.Bytes.CopyTo(raw);
            BinaryPrimitives.WriteUInt64BigEndian(raw[PrefixBytes..], sequenceNumber);
        }
        else
        {
            ((byte[])key).CopyTo(raw);
        }
    }

    /// <summary>Whether <paramref name="utf8"/> is exactly the base64url text of <see cref="RawBytes"/> bytes (then
    /// they are in <paramref name="raw"/>).</summary>
    private static bool TryDecode(ReadOnlySpan<byte> utf8, Span<byte> raw)
    {
        if (utf8.Length != TextChars
            || Base64Url.DecodeFromUtf8(utf8, raw, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != RawBytes)
        {
            return false;
        }
        // The decoder skips white space and the like; only the one canonical text of these bytes counts.
        Span<byte> again = stackalloc byte[TextChars];
        Base64Url.EncodeToUtf8(raw, again, out _, out int encoded);
        return encoded == TextChars && again.SequenceEqual(utf8);
    }

    /// <summary>The 21 bytes of any form of an ID into <paramref name="raw"/>; false for a string that is not the text
    /// of 21 bytes.</summary>
    private static bool TryRaw(object key, ulong sequenceNumber, Span<byte> raw)
    {
        if (key is not string text)
        {
            ToRaw(key, sequenceNumber, raw);
            return true;
        }
        if (text.Length != TextChars)
        {
            return false;
        }
        Span<byte> utf8 = stackalloc byte[TextChars];
        for (int i = 0; i < TextChars; i++)
        {
            if (text[i] > 0x7F)
            {
                return false;
            }
            utf8[i] = (byte)text[i];
        }
        return TryDecode(utf8, raw);
    }

    /// <summary>The random part of the call IDs of one connection (see <see cref="CallIds"/>).</summary>
    public sealed class Prefix(byte[] bytes)
    {
        /// <summary><see cref="PrefixBytes"/> bytes.</summary>
        public byte[] Bytes { get; } = bytes.Length == PrefixBytes ? bytes
            : throw new ArgumentException($"A call ID prefix has {PrefixBytes} bytes.", nameof(bytes));
    }

    /// <summary>A call ID as a header holds it: its key and the header's sequence number (which a
    /// <see cref="Prefix"/> key needs).</summary>
    public readonly record struct Running(object Key, ulong SequenceNumber);

    /// <summary>Equality of call IDs in any form: a string equals the bytes it is the text of.</summary>
    public sealed class RunningCallComparer : IEqualityComparer<Running>
    {
        public static readonly RunningCallComparer Instance = new();

        public bool Equals(Running x, Running y)
        {
            Span<byte> a = stackalloc byte[RawBytes];
            Span<byte> b = stackalloc byte[RawBytes];
            bool rawX = TryRaw(x.Key, x.SequenceNumber, a);
            bool rawY = TryRaw(y.Key, y.SequenceNumber, b);
            if (rawX || rawY)
            {
                return rawX && rawY && a.SequenceEqual(b);
            }
            return string.Equals((string)x.Key, (string)y.Key, StringComparison.Ordinal);
        }

        public int GetHashCode(Running id)
        {
            Span<byte> raw = stackalloc byte[RawBytes];
            if (!TryRaw(id.Key, id.SequenceNumber, raw))
            {
                return StringComparer.Ordinal.GetHashCode((string)id.Key);
            }
            var hash = new HashCode();
            hash.AddBytes(raw);
            return hash.ToHashCode();
        }
    }
}
