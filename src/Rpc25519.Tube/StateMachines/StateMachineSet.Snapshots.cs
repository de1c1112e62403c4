using System.Security.Cryptography;

namespace Rpc25519.Tube.StateMachines;

/// <summary>Snapshots of the whole set, and a hash of the state for comparing replicas.</summary>
public sealed partial class StateMachineSet
{
    /// <summary>Writes the whole replicated state (applied index, log time, sessions with their cached replies,
    /// every machine) to <paramref name="destination"/>. Equal states write equal bytes. The change feed is not
    /// included: a restored replica's feed starts at the snapshot's index.</summary>
    /// <param name="destination">Where to write.</param>
    public void WriteSnapshot(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var snapshot = new StateMachineSetSnapshot
        {
            AppliedIndex = AppliedIndex,
            LogTimeMs = LogTimeMs,
            Sessions = [.. sessions.All],
            MemberAddresses = [.. memberAddresses.Select(m => new MemberAddressEntry { Id = m.Key, Address = m.Value })],
        };
        foreach (var (name, machine) in machines)
        {
            using var buffer = new MemoryStream();
            machine.WriteSnapshot(buffer);
            snapshot.Machines.Add(new MachineSnapshot { Name = name, Data = buffer.ToArray() });
        }

        TubeSerializer.Serialize(destination, snapshot);
    }

    /// <summary>Replaces the whole replicated state with a snapshot from <see cref="WriteSnapshot"/>. The same
    /// machines must be registered, under the same names.</summary>
    /// <param name="source">The snapshot.</param>
    public void RestoreSnapshot(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var snapshot = TubeSerializer.Deserialize<StateMachineSetSnapshot>(source);
        if (snapshot.Format != StateMachineSetSnapshot.CurrentFormat)
        {
            throw new InvalidDataException(
                $"Snapshot format {snapshot.Format} is not supported (this build reads format " +
                $"{StateMachineSetSnapshot.CurrentFormat}); restore it with a matching build.");
        }

        var names = snapshot.Machines.Select(m => m.Name).ToList();
        if (!names.SequenceEqual(machines.Keys, StringComparer.Ordinal))
        {
            throw new InvalidDataException(
                $"The snapshot holds machines [{string.Join(", ", names)}] but this replica registered " +
                $"[{string.Join(", ", machines.Keys)}]; register the same machines on every replica.");
        }

        foreach (var part in snapshot.Machines)
        {
            using var buffer = new MemoryStream(part.Data, writable: false);
            machines[part.Name].RestoreSnapshot(buffer);
        }

        sessions.Replace(snapshot.Sessions);
        memberAddresses.Clear();
        foreach (MemberAddressEntry entry in snapshot.MemberAddresses)
        {
            memberAddresses[entry.Id] = entry.Address;
        }

        AppliedIndex = snapshot.AppliedIndex;
        LogTimeMs = snapshot.LogTimeMs;
        Changes.Reset(AppliedIndex);
    }

    /// <summary>A SHA-256 of the snapshot bytes, in hex: replicas that applied the same entries have the same
    /// hash.</summary>
    /// <returns>The hash as 64 hex digits.</returns>
    public string ComputeStateHash()
    {
        using var buffer = new MemoryStream();
        WriteSnapshot(buffer);
        return Convert.ToHexString(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }
}
