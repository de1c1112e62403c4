using System.Buffers.Binary;
using System.Buffers.Text;
using MessagePack;

namespace Rpc25519.Messages;

/// <summary>
/// The compact form of a call ID. The IDs the library draws are 21 random bytes, written as 28 characters of
/// base64url; a header keeps such an ID as its 21 bytes (one small array, shared by a request and its reply) and makes
/// the string only when someone reads <see cref="MessageHeader.CallId"/>, so a call that nobody inspects allocates no
/// string for its ID on either side. Any other ID is kept as the string it is. A header's ID key is therefore a
/// <see cref="string"/> or a <see cref="byte"/> array; <see cref="KeyComparer"/> treats the two forms of one ID as
/// equal.
/// </summary>
internal static class CallIds
{
    /// <summary>Random bytes in a call ID the library draws: 168 bits.</summary>
    public const int RawBytes = 21;

    /// <summary>Characters of base64url for <see cref="RawBytes"/> bytes (no padding: 168 bits are 28 × 6).</summary>
    public const int TextChars = 28;

    /// <summary>The ID of <paramref name="key"/> as text.</summary>
    public static string ToText(object key) => key as string ?? Base64Url.EncodeToString((byte[])key);

    /// <summary>The length in characters of the ID of <paramref name="key"/>.</summary>
    public static int TextLength(object key) => key is string text ? text.Length : TextChars;

    /// <summary>Whether <paramref name="key"/> holds an ID (is not the empty string).</summary>
    public static bool IsSet(object key) => key is not string { Length: 0 };

    /// <summary>Writes the ID of <paramref name="key"/> as a MessagePack string.</summary>
    public static void Write(ref MessagePackWriter writer, object key)
    {
        if (key is string text)
        {
            writer.Write(text);
            return;
        }
        writer.WriteStringHeader(TextChars);
        Span<byte> utf8 = writer.GetSpan(TextChars);
        Base64Url.EncodeToUtf8((byte[])key, utf8, out _, out int written);
        writer.Advance(written);
    }

    /// <summary>Reads an ID, in the compact form when it has one.</summary>
    public static object Read(ref MessagePackReader reader)
    {
        if (reader.TryReadStringSpan(out ReadOnlySpan<byte> utf8))
        {
            Span<byte> raw = stackalloc byte[RawBytes];
            return TryDecode(utf8, raw) ? raw.ToArray() : System.Text.Encoding.UTF8.GetString(utf8);
        }
        return reader.ReadString() ?? "";
    }

    /// <summary>Reads an ID; when it is the ID of <paramref name="known"/> (a waiting request's), returns that key
    /// itself instead of a new one.</summary>
    public static object Read(ref MessagePackReader reader, object known)
    {
        if (!reader.TryReadStringSpan(out ReadOnlySpan<byte> utf8))
        {
            return reader.ReadString() ?? "";
        }
        Span<byte> raw = stackalloc byte[RawBytes];
        if (TryDecode(utf8, raw))
        {
            return known is byte[] knownRaw && raw.SequenceEqual(knownRaw) ? knownRaw : raw.ToArray();
        }
        return known is string text && text.Length == utf8.Length && System.Text.Ascii.Equals(utf8, text)
            ? text : System.Text.Encoding.UTF8.GetString(utf8);
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

    /// <summary>Whether <paramref name="text"/> is the text of a compact ID (its bytes are then in <paramref name="raw"/>).
    /// </summary>
    private static bool TryDecode(string text, Span<byte> raw)
    {
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

    /// <summary>Equality of ID keys, either form: a string equals the array it is the text of.</summary>
    public sealed class KeyComparer : IEqualityComparer<object>
    {
        public static readonly KeyComparer Instance = new();

        public new bool Equals(object? x, object? y)
        {
            if (x is byte[] a && y is byte[] b)
            {
                return a.AsSpan().SequenceEqual(b);
            }
            if (x is string s && y is string t)
            {
                return string.Equals(s, t, StringComparison.Ordinal);
            }
            return x is not null && y is not null && string.Equals(ToText(x), ToText(y), StringComparison.Ordinal);
        }

        public int GetHashCode(object key)
        {
            Span<byte> raw = stackalloc byte[RawBytes];
            if (key is byte[] bytes)
            {
                return BinaryPrimitives.ReadInt32LittleEndian(bytes);
            }
            var text = (string)key;
            return TryDecode(text, raw) ? BinaryPrimitives.ReadInt32LittleEndian(raw)
                : StringComparer.Ordinal.GetHashCode(text);
        }
    }
}
