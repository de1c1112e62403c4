using System.Text;

namespace Rpc25519.Tube.StateMachines.Kv;

/// <summary>Byte-string keys: the bytewise order, prefix bounds, and a readable form for messages.</summary>
internal static class ByteKeys
{
    public static int Compare(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    /// <summary>The smallest key greater than every key starting with <paramref name="prefix"/>, or null when
    /// there is none (the prefix is empty or all 0xFF).</summary>
    public static byte[]? PrefixEnd(byte[] prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] != 0xFF)
            {
                var end = prefix[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        return null;
    }

    /// <summary>The key as text when it is printable UTF-8, else as hex.</summary>
    public static string Display(byte[] key)
    {
        try
        {
            string text = new UTF8Encoding(false, true).GetString(key);
            if (text.All(c => !char.IsControl(c)))
            {
                return $"'{text}'";
            }
        }
        catch (DecoderFallbackException)
        {
        }

        return "0x" + Convert.ToHexString(key);
    }
}
