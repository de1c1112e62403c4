using System.Buffers.Binary;

namespace Rpc25519.Tube.StateMachines;

/// <summary>
/// The bytes a leader proposes: its wall-clock time (Unix milliseconds, 8 bytes big-endian) followed by the
/// serialized <see cref="TubeCommand"/>. The leader stamps each command when it proposes it; replicas apply with
/// that stamp and never read their own clocks, so every replica sees the same time for the same entry.
/// </summary>
public static class StampedCommand
{
    /// <summary>The length of the time prefix.</summary>
    public const int HeaderLength = 8;

    /// <summary>Prefixes command bytes with the leader's time.</summary>
    /// <param name="leaderUnixTimeMs">The leader's time when it proposes the command, Unix milliseconds.</param>
    /// <param name="command">The serialized <see cref="TubeCommand"/>.</param>
    /// <returns>The bytes to propose.</returns>
    public static byte[] Create(long leaderUnixTimeMs, ReadOnlySpan<byte> command)
    {
        var bytes = new byte[HeaderLength + command.Length];
        BinaryPrimitives.WriteInt64BigEndian(bytes, leaderUnixTimeMs);
        command.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <summary>Splits proposed bytes into the leader's time and the command.</summary>
    /// <param name="entryData">A command entry's data, as made by <see cref="Create"/>.</param>
    /// <param name="leaderUnixTimeMs">The leader's time stamp.</param>
    /// <returns>The command bytes.</returns>
    /// <exception cref="InvalidDataException">The data is shorter than the time prefix.</exception>
    public static ReadOnlyMemory<byte> Read(ReadOnlyMemory<byte> entryData, out long leaderUnixTimeMs)
    {
        if (entryData.Length < HeaderLength)
        {
            throw new InvalidDataException(
                $"A command entry holds {entryData.Length} bytes, fewer than the {HeaderLength}-byte leader time " +
                "stamp; propose commands made by StampedCommand.Create.");
        }

        leaderUnixTimeMs = BinaryPrimitives.ReadInt64BigEndian(entryData.Span);
        return entryData[HeaderLength..];
    }
}
