using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Client;

/// <summary>The cluster could not confirm the operation with a quorum before the deadline (a partition, too many
/// members down, or an election in progress). The operation may or may not have been applied; a write retried in
/// the same session is applied at most once. Retry later, or check the members' status.</summary>
public sealed class NoQuorumException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public NoQuorumException(string message)
        : base(TubeErrorCode.NoQuorum, message)
    {
    }
}
