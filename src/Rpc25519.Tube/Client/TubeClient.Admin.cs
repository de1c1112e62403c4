using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.Raft;
using Rpc25519.Tube.StateMachines;

namespace Rpc25519.Tube.Client;

/// <summary>Status and membership operations (what the command-line tools call).</summary>
public sealed partial class TubeClient
{
    /// <summary>Asks one member for its status.</summary>
    /// <param name="address">The member's address, or null for the member the client talks to now.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The member's status.</returns>
    public async Task<TubeStatus> GetStatusAsync(string? address = null, CancellationToken cancellationToken = default)
    {
        TubeResponse response = await CallAsync(new TubeRequest { Kind = TubeRequestKind.Status },
            cancellationToken, address);
        return response.Status ?? throw new TubeUnavailableException("The member sent no status.", null);
    }

    /// <summary>Asks every member for its status: the configured ones, then any voter or shadow that their
    /// statuses name (with its address) and that has not answered yet, such as a member added later. Members that
    /// do not answer in time are left out.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The statuses of the members that answered: those of <see cref="TubeClientOptions.Members"/> in that
    /// order, then the others in the order they were found.</returns>
    public async Task<IReadOnlyList<TubeStatus>> GetClusterStatusAsync(CancellationToken cancellationToken = default)
    {
        var statuses = new List<TubeStatus>();
        var asked = new HashSet<string>(StringComparer.Ordinal);
        var toAsk = new Queue<string>(options.Members);
        while (toAsk.TryDequeue(out string? address))
        {
            if (!asked.Add(address))
            {
                continue;
            }

            try
            {
                TubeStatus status = await GetStatusAsync(address, cancellationToken);
                statuses.Add(status);
                foreach (string other in UnansweredMembers(status, statuses))
                {
                    toAsk.Enqueue(other);
                }
            }
            catch (StateMachines.Errors.TubeException)
            {
                // Unreachable member: not in the list.
            }
        }

        return statuses;
    }

    /// <summary>The addresses <paramref name="status"/> gives for members that have not answered so far.</summary>
    private static IEnumerable<string> UnansweredMembers(TubeStatus status, List<TubeStatus> answered)
    {
        ulong[] ids = [.. status.Voters, .. status.Shadows];
        for (int i = 0; i < ids.Length && i < status.MemberAddresses.Length; i++)
        {
            if (status.MemberAddresses[i] is { } address && !answered.Exists(s => s.NodeId == ids[i]))
            {
                yield return address;
            }
        }
    }

    /// <summary>Asks the leader for a single-server membership change. The change is proposed when this returns;
    /// poll <see cref="GetStatusAsync"/> to see it take effect.</summary>
    /// <param name="kind">Add or remove a voter or a shadow.</param>
    /// <param name="nodeId">The node.</param>
    /// <param name="address">The node's address when adding it (the leader adds it to its address book), or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The leader's status right after proposing.</returns>
    /// <exception cref="StateMachines.Errors.InvalidCommandException">The change does not apply.</exception>
    /// <exception cref="NoQuorumException">An earlier change has not committed yet.</exception>
    public async Task<TubeStatus> ChangeMembershipAsync(MembershipChangeKind kind, ulong nodeId, string? address = null,
        CancellationToken cancellationToken = default)
    {
        TubeResponse response = await CallAsync(new TubeRequest
        {
            Kind = TubeRequestKind.ChangeMembership, MembershipChange = kind, NodeId = nodeId, Address = address,
        }, cancellationToken);
        ThrowIfRefused(response);
        return response.Status!;
    }

    /// <summary>
    /// UNSAFE rescue for a cluster that lost its quorum for good: installs exactly <paramref name="voters"/> and
    /// <paramref name="shadows"/> on the one member at <paramref name="address"/>, skipping every safety check, stamped
    /// newer than its configuration so that it spreads from there. Entries committed by a majority that did not
    /// include that member are lost, and members that keep the old configuration may elect a second leader; force
    /// only on the most up-to-date survivor, only after the removed members are gone for good.
    /// </summary>
    /// <param name="address">The member to change (no redirect, no retry elsewhere).</param>
    /// <param name="voters">The voters to install (at least one).</param>
    /// <param name="shadows">The shadows to install.</param>
    /// <param name="newMember">A node id to add to that member's address book with <paramref name="newAddress"/>, or
    /// 0.</param>
    /// <param name="newAddress">The address of <paramref name="newMember"/>, or null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The member's status right after the change.</returns>
    /// <exception cref="StateMachines.Errors.InvalidCommandException">The sets are empty, overlap, or name a node
    /// without an address.</exception>
    public async Task<TubeStatus> ForceMembershipAsync(string address, IReadOnlyCollection<ulong> voters,
        IReadOnlyCollection<ulong> shadows, ulong newMember = 0, string? newAddress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(voters);
        ArgumentNullException.ThrowIfNull(shadows);
        TubeResponse response = await CallAsync(new TubeRequest
        {
            Kind = TubeRequestKind.ForceMembership, Voters = [.. voters], Shadows = [.. shadows], NodeId = newMember,
            Address = newAddress,
        }, cancellationToken, address);
        ThrowIfRefused(response);
        return response.Status!;
    }

    /// <summary>
    /// UNSAFE rescue: the member at <paramref name="address"/> forgets its membership (voters, shadows, version), as
    /// if it had never joined, and takes the next configuration a leader sends it. A leader steps down. Its log and
    /// data stay. Use it on a member whose configuration is stale or diverged, for example one that comes back after
    /// <see cref="ForceMembershipAsync"/> removed it elsewhere.
    /// </summary>
    /// <param name="address">The member to clear.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The member's status right after the change (no voters, no shadows).</returns>
    public async Task<TubeStatus> ClearMembershipAsync(string address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        TubeResponse response = await CallAsync(new TubeRequest { Kind = TubeRequestKind.ClearMembership },
            cancellationToken, address);
        ThrowIfRefused(response);
        return response.Status!;
    }

    /// <summary>Asks the leader to hand leadership to <paramref name="nodeId"/>.</summary>
    /// <param name="nodeId">An up-to-date voter.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the transfer has started.</returns>
    public async Task TransferLeadershipAsync(ulong nodeId, CancellationToken cancellationToken = default)
    {
        TubeResponse response = await CallAsync(
            new TubeRequest { Kind = TubeRequestKind.TransferLeadership, NodeId = nodeId },
            cancellationToken);
        ThrowIfRefused(response);
    }

    /// <summary>Turns a service-level refusal into its typed exception.</summary>
    internal static void ThrowIfRefused(TubeResponse response)
    {
        string message = response.Message ?? response.Error.ToString();
        switch (response.Error)
        {
            case StateMachines.Errors.TubeErrorCode.None:
                return;
            case StateMachines.Errors.TubeErrorCode.NotLeader:
                throw new NotLeaderException(message, response.LeaderId, response.LeaderAddress);
            case StateMachines.Errors.TubeErrorCode.NoQuorum:
                throw new NoQuorumException(message);
            case StateMachines.Errors.TubeErrorCode.Unavailable:
                throw new TubeUnavailableException(message, null);
            default:
                new TubeReply { Error = response.Error, Message = message }.ThrowIfError();
                return;
        }
    }
}
