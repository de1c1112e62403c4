using Rpc25519.Tube.StateMachines.Kv;

namespace Rpc25519.Tube.StateMachines.Errors;

/// <summary>Turns an error reply back into its typed exception.</summary>
internal static class TubeErrors
{
    public static TubeException FromReply(TubeReply reply)
    {
        string message = reply.Message ?? reply.Error.ToString();
        return reply.Error switch
        {
            TubeErrorCode.SessionExpired => new SessionExpiredException(message),
            TubeErrorCode.StaleSerial => new StaleSerialException(message),
            TubeErrorCode.UnknownStateMachine => new UnknownStateMachineException(message),
            TubeErrorCode.MalformedCommand => new MalformedCommandException(message),
            TubeErrorCode.InvalidCommand => new InvalidCommandException(message),
            TubeErrorCode.ValueTooLarge => new ValueTooLargeException(message),
            TubeErrorCode.TableNotFound => new TableNotFoundException(message),
            TubeErrorCode.TableExists => new TableExistsException(message),
            TubeErrorCode.KeyLeased => new KeyLeasedException(message, Item(reply)),
            TubeErrorCode.CasMismatch => new CasMismatchException(message, Item(reply)),
            TubeErrorCode.NotLeaseHolder => new NotLeaseHolderException(message),
            TubeErrorCode.Rejected => new CommandRejectedException(message),
            TubeErrorCode.OwnerSessionNotFound => new OwnerSessionNotFoundException(message),
            TubeErrorCode.MachineFault => new StateMachineFaultException(message),
            TubeErrorCode.SessionLimit => new SessionLimitException(message),
            TubeErrorCode.StateLimit => new StateLimitException(message),
            _ => new TubeException(reply.Error, message),
        };
    }

    private static KvItem? Item(TubeReply reply) =>
        reply.Payload is { Length: > 0 } payload ? TubeSerializer.Deserialize<KvItem>(payload) : null;
}
