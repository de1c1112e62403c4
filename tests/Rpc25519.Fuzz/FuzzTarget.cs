namespace Rpc25519.Fuzz;

/// <summary>A fuzz target: decodes <paramref name="input"/> the way the library decodes bytes from outside.</summary>
public delegate void FuzzEntry(ReadOnlySpan<byte> input);

/// <summary>
/// One fuzz target: its name (also its corpus folder under <c>tests/fuzz-corpus/</c>), the decoding it drives, which
/// exceptions are its documented, typed failures (anything else leaving <see cref="Run"/> is a finding), and how much
/// it may allocate for one input.
/// </summary>
/// <param name="Name">Name on the command line and corpus folder.</param>
/// <param name="Run">The target.</param>
/// <param name="IsExpected">Whether an exception is one of the target's documented, typed failures.</param>
/// <param name="AllocationFactor">Bytes the target may allocate per input byte (on top of
/// <paramref name="AllocationConstant"/>); bounds a decoder that would allocate what a length field declares before
/// the bytes arrived.</param>
/// <param name="AllocationConstant">Bytes the target may allocate for any input.</param>
public sealed record FuzzTarget(string Name, FuzzEntry Run, Func<Exception, bool> IsExpected,
    long AllocationFactor, long AllocationConstant)
{
    /// <summary>The most this target may allocate for an input of <paramref name="inputLength"/> bytes.</summary>
    public long AllocationBound(int inputLength) => AllocationConstant + AllocationFactor * inputLength;
}
