namespace Rpc25519.Tube.Raft;

/// <summary>
/// A cluster configuration in the Mongo-Raft-Reconfig style: it lives outside the log, is ordered by
/// (<see cref="Term"/>, <see cref="Version"/>), and a node adopts any configuration newer than its own.
/// Voters elect and count toward quorums; shadows replicate but never vote. Immutable, so thread-safe.
/// </summary>
public sealed class Membership
{
    private readonly ulong[] voters;
    private readonly ulong[] shadows;

    /// <summary>Creates a configuration. Ids are sorted and must be unique, non-zero, and voters and shadows
    /// disjoint.</summary>
    /// <param name="voters">The voting members.</param>
    /// <param name="shadows">The non-voting members.</param>
    /// <param name="term">The term of the leader that made (or last re-stamped) the configuration.</param>
    /// <param name="version">Incremented on every change of the member sets.</param>
    public Membership(IEnumerable<ulong> voters, IEnumerable<ulong> shadows, long term, long version)
    {
        ArgumentNullException.ThrowIfNull(voters);
        ArgumentNullException.ThrowIfNull(shadows);
        this.voters = voters.Order().ToArray();
        this.shadows = shadows.Order().ToArray();
        if (term < 0 || version < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(term),
                "A configuration's term and version are never negative.");
        }

        var all = this.voters.Concat(this.shadows).ToArray();
        if (all.Contains(0UL) || all.Distinct().Count() != all.Length)
        {
            throw new ArgumentException("Member ids must be non-zero, unique, and voters disjoint from shadows.");
        }

        Term = term;
        Version = version;
    }

    /// <summary>The empty configuration a joining node starts with: it never campaigns and waits to hear a
    /// leader.</summary>
    public static Membership Empty { get; } = new([], [], 0, 0);

    /// <summary>The voting members, sorted ascending.</summary>
    public IReadOnlyList<ulong> Voters => voters;

    /// <summary>The non-voting (shadow) members, sorted ascending.</summary>
    public IReadOnlyList<ulong> Shadows => shadows;

    /// <summary>The term of the leader that created or re-stamped this configuration.</summary>
    public long Term { get; }

    /// <summary>The change counter; with <see cref="Term"/> it orders configurations.</summary>
    public long Version { get; }

    /// <summary>How many voters make a majority (0 for an empty configuration).</summary>
    public int Quorum => voters.Length == 0 ? 0 : (voters.Length / 2) + 1;

    /// <summary>True if <paramref name="id"/> is a voter.</summary>
    /// <param name="id">A node id.</param>
    /// <returns>Whether the node votes in this configuration.</returns>
    public bool IsVoter(ulong id) => Array.BinarySearch(voters, id) >= 0;

    /// <summary>True if <paramref name="id"/> is a shadow.</summary>
    /// <param name="id">A node id.</param>
    /// <returns>Whether the node is a non-voting member.</returns>
    public bool IsShadow(ulong id) => Array.BinarySearch(shadows, id) >= 0;

    /// <summary>True if this configuration is ordered after <paramref name="other"/> (term first, then
    /// version).</summary>
    /// <param name="other">The configuration to compare with.</param>
    /// <returns>Whether this one is strictly newer.</returns>
    public bool IsNewerThan(Membership other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Term != other.Term ? Term > other.Term : Version > other.Version;
    }

    /// <summary>True if both have the same (term, version) stamp.</summary>
    /// <param name="other">The configuration to compare with.</param>
    /// <returns>Whether the stamps are equal.</returns>
    public bool HasSameStamp(Membership other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Term == other.Term && Version == other.Version;
    }

    /// <summary>Every member, voters then shadows, in ascending order within each group.</summary>
    /// <returns>The member ids.</returns>
    public IEnumerable<ulong> Members() => voters.Concat(shadows);

    /// <inheritdoc />
    public override string ToString() =>
        $"v{Version}@t{Term} voters=[{string.Join(',', voters)}] shadows=[{string.Join(',', shadows)}]";

    /// <summary>Returns the configuration after one single-server change, or null if the change does nothing.</summary>
    internal Membership? Apply(MembershipChangeKind kind, ulong id, long term)
    {
        var v = voters.ToList();
        var s = shadows.ToList();
        switch (kind)
        {
            case MembershipChangeKind.AddVoter when !IsVoter(id):
                s.Remove(id);
                v.Add(id);
                break;
            case MembershipChangeKind.RemoveVoter when IsVoter(id):
                v.Remove(id);
                s.Add(id);
                break;
            case MembershipChangeKind.AddShadow when !IsVoter(id) && !IsShadow(id):
                s.Add(id);
                break;
            case MembershipChangeKind.RemoveShadow when IsShadow(id):
                s.Remove(id);
                break;
            default:
                return null;
        }

        return new Membership(v, s, term, Version + 1);
    }

    /// <summary>The same member sets, re-stamped with a new leader's term (done once per election win).</summary>
    internal Membership WithTerm(long term) => new(voters, shadows, term, Version);
}
