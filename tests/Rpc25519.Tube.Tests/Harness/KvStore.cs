using System.Buffers.Binary;

namespace Rpc25519.Tube.Tests.Harness;

/// <summary>The replicated state machine: a map from key to the last value written. Snapshots are sorted
/// pairs.</summary>
internal sealed class KvStore
{
    private readonly SortedDictionary<int, long> values = [];

    public long Read(int key) => values.GetValueOrDefault(key);

    public void Apply(KvCommand command) => values[command.Key] = command.Value;

    public byte[] Snapshot()
    {
        var bytes = new byte[values.Count * 12];
        int offset = 0;
        foreach (var (key, value) in values)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(offset), key);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset + 4), value);
            offset += 12;
        }

        return bytes;
    }

    public void Restore(ReadOnlySpan<byte> snapshot)
    {
        values.Clear();
        for (int offset = 0; offset + 12 <= snapshot.Length; offset += 12)
        {
            values[BinaryPrimitives.ReadInt32LittleEndian(snapshot[offset..])] =
                BinaryPrimitives.ReadInt64LittleEndian(snapshot[(offset + 4)..]);
        }
    }
}
