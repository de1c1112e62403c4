namespace Rpc25519.Tube.Tests.Harness;

/// <summary>
/// One client operation on a single-key register, as seen by the client: a write of a unique value or a read that
/// returned a value (0 means never written). Times come from one global event counter; a write whose outcome is
/// unknown (timed out, node crashed) has <see cref="Return"/> = <see cref="long.MaxValue"/>.
/// </summary>
internal sealed record Operation(int ClientId, int Key, bool IsWrite, long Value, long Call, long Return)
{
    public bool IsPending => Return == long.MaxValue;
}
