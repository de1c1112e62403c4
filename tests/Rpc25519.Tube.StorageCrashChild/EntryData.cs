namespace Rpc25519.Tube.StorageCrashChild;

/// <summary>The bytes the child writes for an index; the parent test recomputes them to check contents.</summary>
public static class EntryData
{
    /// <summary>16 to 115 bytes that depend on the index.</summary>
    /// <param name="index">The log index.</param>
    /// <returns>A new array.</returns>
    public static byte[] For(long index)
    {
        var data = new byte[16 + (int)(index % 100)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)((index * 31) + i);
        }

        return data;
    }
}
