using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Client;

/// <summary>No member answered before the operation's deadline. The operation may or may not have been applied; a
/// write retried in the same session is applied at most once. Check that the members run and are reachable, or give
/// the operation a longer deadline.</summary>
public sealed class TubeUnavailableException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="inner">The last failure seen while retrying, or null.</param>
    public TubeUnavailableException(string message, Exception? inner)
        : base(TubeErrorCode.Unavailable, inner is null ? message : $"{message} Last failure: {inner.Message}")
    {
        LastFailure = inner;
    }

    /// <summary>The last failure seen while retrying, or null.</summary>
    public Exception? LastFailure { get; }
}
