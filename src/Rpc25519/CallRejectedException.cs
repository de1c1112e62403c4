namespace Rpc25519;

/// <summary>
/// The remote side did not run a handler for the call at all (a <see cref="Messages.CallType.Error"/> answer): no
/// function is registered under the name, a stream with that call ID is already open, and the like. The message is
/// the remote's reason. Thrown the same way by the Message API, the typed API and streams.
/// </summary>
public sealed class CallRejectedException : RpcException
{
    /// <summary>Creates the error from the remote's reason.</summary>
    /// <param name="reason">Why the remote refused the call.</param>
    public CallRejectedException(string reason) : base(reason)
    {
    }
}
