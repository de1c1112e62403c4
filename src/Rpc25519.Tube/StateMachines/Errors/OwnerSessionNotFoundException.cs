namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>A write named an owner session (<see cref="Kv.KvTxnOp.Owner"/>) that is not open: it expired, was
/// closed, or never existed. Open a new session (for the etcd endpoint: grant a new lease) and write again.</summary>
public sealed class OwnerSessionNotFoundException : TubeException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    public OwnerSessionNotFoundException(string message)
        : base(TubeErrorCode.OwnerSessionNotFound, message)
    {
    }
}
