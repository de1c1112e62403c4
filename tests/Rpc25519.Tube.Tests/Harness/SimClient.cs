namespace Rpc25519.Tube.Tests.Harness;

/// <summary>A client issuing one operation at a time, and guessing which node leads.</summary>
internal sealed class SimClient(int id)
{
    public int Id { get; } = id;

    public int Sequence { get; set; }

    public ulong Target { get; set; }

    public PendingOperation? Current { get; set; }
}
