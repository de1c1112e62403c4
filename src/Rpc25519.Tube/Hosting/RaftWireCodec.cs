using Rpc25519.Tube.Raft;

namespace Rpc25519.Tube.Hosting;

/// <summary>
/// Encodes <see cref="RaftMessage"/>s for replica-to-replica traffic: a fixed field order in little-endian binary,
/// a format byte first. The core's types are immutable and carry no serializer attributes, so the host owns the wire
/// shape; nothing else depends on it.
/// </summary>
internal static class RaftWireCodec
{
    private const byte Format = 2;

    public static byte[] Encode(RaftMessage message)
    {
        using var stream = new MemoryStream(64 + message.ChunkData.Length + message.Entries.Sum(e => e.Data.Length + 24));
        using (var w = new BinaryWriter(stream))
        {
            w.Write(Format);
            w.Write((byte)message.Type);
            w.Write(message.From);
            w.Write(message.To);
            w.Write(message.Term);
            w.Write(message.LogIndex);
            w.Write(message.LogTerm);
            w.Write(message.Commit);
            w.Write(message.PeersDurable);
            w.Write(message.Quiet);
            w.Write(message.Reject);
            w.Write(message.RejectHint);
            w.Write(message.Context);
            w.Write(message.LeaderTick);
            w.Write(message.SentThrough);
            w.Write(message.Transfer);
            w.Write(message.Lease);
            w.Write(message.SnapshotIndex);
            w.Write(message.SnapshotTerm);
            w.Write(message.ChunkOffset);
            w.Write(message.SnapshotLength);
            WriteBytes(w, message.ChunkData.Span);
            w.Write(message.Membership is not null);
            if (message.Membership is { } m)
            {
                w.Write(m.Term);
                w.Write(m.Version);
                WriteIds(w, m.Voters);
                WriteIds(w, m.Shadows);
            }

            w.Write(message.Entries.Count);
            foreach (var entry in message.Entries)
            {
                w.Write(entry.Term);
                w.Write(entry.Index);
                w.Write((byte)entry.Kind);
                WriteBytes(w, entry.Data.Span);
            }
        }

        return stream.ToArray();
    }

    /// <summary>Decodes a message; bytes that do not make one (cut short, lengths past the end, or fields the core's
    /// types refuse, such as an entry of term 0) throw <see cref="InvalidDataException"/> or
    /// <see cref="EndOfStreamException"/>.</summary>
    public static RaftMessage Decode(byte[] bytes) => Decode(bytes, bytes.Length);

    /// <summary>Decodes the message in the first <paramref name="length"/> bytes (the rest: the replica key's
    /// tag).</summary>
    public static RaftMessage Decode(byte[] bytes, int length)
    {
        try
        {
            return DecodeFields(bytes, length);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Raft message holds a field no replica sends: {e.Message}", e);
        }
    }

    private static RaftMessage DecodeFields(byte[] bytes, int length)
    {
        using var r = new BinaryReader(new MemoryStream(bytes, 0, length, writable: false));
        byte format = r.ReadByte();
        if (format != Format)
        {
            throw new InvalidDataException($"Raft message format {format} is unknown (expected {Format}); run the " +
                "same Tube version on every replica.");
        }

        var type = (RaftMessageType)r.ReadByte();
        ulong from = r.ReadUInt64(), to = r.ReadUInt64();
        long term = r.ReadInt64(), logIndex = r.ReadInt64(), logTerm = r.ReadInt64(), commit = r.ReadInt64();
        long peersDurable = r.ReadInt64();
        bool quiet = r.ReadBoolean();
        bool reject = r.ReadBoolean();
        long rejectHint = r.ReadInt64();
        ulong context = r.ReadUInt64();
        long leaderTick = r.ReadInt64(), sentThrough = r.ReadInt64();
        bool transfer = r.ReadBoolean(), lease = r.ReadBoolean();
        long snapshotIndex = r.ReadInt64(), snapshotTerm = r.ReadInt64(), chunkOffset = r.ReadInt64();
        long snapshotLength = r.ReadInt64();
        byte[] chunk = ReadBytes(r);
        Membership? membership = null;
        if (r.ReadBoolean())
        {
            long mTerm = r.ReadInt64(), mVersion = r.ReadInt64();
            membership = new Membership(ReadIds(r), ReadIds(r), mTerm, mVersion);
        }

        int count = r.ReadInt32();
        if (count < 0 || count > length)
        {
            throw new InvalidDataException($"Raft message claims {count} entries in {length} bytes.");
        }

        var entries = new LogEntry[count];
        for (int i = 0; i < count; i++)
        {
            long eTerm = r.ReadInt64(), eIndex = r.ReadInt64();
            var kind = (LogEntryKind)r.ReadByte();
            entries[i] = new LogEntry(eTerm, eIndex, kind, ReadBytes(r));
        }

        return new RaftMessage
        {
            Type = type, From = from, To = to, Term = term, LogIndex = logIndex, LogTerm = logTerm, Commit = commit,
            PeersDurable = peersDurable, Quiet = quiet, Reject = reject, RejectHint = rejectHint, Context = context,
            LeaderTick = leaderTick, SentThrough = sentThrough, Transfer = transfer, Lease = lease,
            SnapshotIndex = snapshotIndex, SnapshotTerm = snapshotTerm, ChunkOffset = chunkOffset,
            SnapshotLength = snapshotLength, ChunkData = chunk, Membership = membership, Entries = entries,
        };
    }

    /// <summary>Why a decoded message cannot be from a replica to <paramref name="self"/> (null when it can): the
    /// host drops such messages before the node sees them, since <see cref="RaftNode.Step"/> refuses them by
    /// throwing.</summary>
    public static string? WhyRefused(RaftMessage message, ulong self) =>
        message.To != self ? $"it is addressed to node {message.To}, not to this node ({self})"
        : message.From == 0 || message.From == self ? $"its sender is node {message.From}, which no peer can be"
        : !Enum.IsDefined(message.Type) ? $"its type {(int)message.Type} is unknown"
        : message.Term < 0 ? $"its term {message.Term} is negative"
        : message.PeersDurable < 0 ? $"its durable index {message.PeersDurable} is negative"
        : null;

    private static void WriteBytes(BinaryWriter w, ReadOnlySpan<byte> bytes)
    {
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader r)
    {
        int length = r.ReadInt32();
        if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position)
        {
            throw new InvalidDataException($"Raft message field claims {length} bytes past the end of the frame.");
        }

        return r.ReadBytes(length);
    }

    private static void WriteIds(BinaryWriter w, IReadOnlyList<ulong> ids)
    {
        w.Write(ids.Count);
        foreach (ulong id in ids)
        {
            w.Write(id);
        }
    }

    private static ulong[] ReadIds(BinaryReader r)
    {
        int count = r.ReadInt32();
        if (count < 0 || count > 10_000)
        {
            throw new InvalidDataException($"Raft message membership claims {count} members.");
        }

        var ids = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = r.ReadUInt64();
        }

        return ids;
    }
}
