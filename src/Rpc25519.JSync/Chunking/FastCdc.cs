using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rpc25519.JSync.Chunking;

/// <summary>
/// The FastCDC cut-point search (Xia et al., USENIX ATC 2016): Gear hash, cut-point skipping (hashing starts at the
/// minimum size) and normalized chunking (a stricter mask before the average size, a looser one after). Pure and
/// allocation-free.
/// </summary>
public static class FastCdc
{
    /// <summary>
    /// The length of the chunk that starts at <paramref name="data"/>[0]. Pass at least <see cref="ChunkerOptions.MaxSize"/>
    /// bytes unless the input ends sooner, so that a cut never depends on how the input was buffered.
    /// </summary>
    public static int FindCut(ReadOnlySpan<byte> data, ChunkerOptions options)
    {
        int n = data.Length;
        if (n <= options.MinSize)
        {
            return n;
        }
        if (n > options.MaxSize)
        {
            n = options.MaxSize;
        }
        int normal = Math.Min(options.AverageSize, n);
        ulong maskS = options.MaskSmall;
        ulong maskL = options.MaskLarge;
        ref byte src = ref MemoryMarshal.GetReference(data);
        ref ulong gear = ref MemoryMarshal.GetArrayDataReference(GearTable.Values);
        ulong fp = 0;
        int i = options.MinSize;
        for (; i < normal; i++)
        {
            fp = (fp << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref src, i));
            if ((fp & maskS) == 0)
            {
                return i + 1;
            }
        }
        for (; i < n; i++)
        {
            fp = (fp << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref src, i));
            if ((fp & maskL) == 0)
            {
                return i + 1;
            }
        }
        return n;
    }
}
