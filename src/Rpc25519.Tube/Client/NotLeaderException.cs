using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Client;

/// <summary>The member asked is not the leader. <see cref="LeaderAddress"/> names the leader when it knows one;
/// <see cref="TubeClient"/> follows it by itself and throws this only when the deadline passed while redirecting.
/// Retry, or connect to the leader.</summary>
public sealed class NotLeaderException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="leaderId">The leader's node id, or 0 when unknown.</param>
    /// <param name="leaderAddress">The leader's address, or null when unknown.</param>
    public NotLeaderException(string message, ulong leaderId, string? leaderAddress)
        : base(TubeErrorCode.NotLeader, message)
    {
        LeaderId = leaderId;
        LeaderAddress = leaderAddress;
    }

    /// <summary>The leader's node id, or 0 when the member knew of none.</summary>
    public ulong LeaderId { get; }

    /// <summary>The leader's address, or null when unknown.</summary>
    public string? LeaderAddress { get; }
}
