using Rpc25519.Tube.Tests.Harness;
using static Rpc25519.Tube.Tests.Harness.LinearizabilityChecker;

namespace Rpc25519.Tube.Tests;

/// <summary>The checker accepts linearizable histories and, crucially, rejects ones that are not.</summary>
public sealed class LinearizabilityCheckerTests
{
    private static Operation Write(long value, long call, long ret, int key = 0) => new(0, key, true, value, call, ret);

    private static Operation Read(long value, long call, long ret, int key = 0) => new(1, key, false, value, call, ret);

    private static Operation Cas(long expected, long value, bool? swapped, long call, long ret, long observed = 0) =>
        Operation.CompareAndSwap(2, 0, expected, value, swapped, observed, call, ret);

    [Fact]
    public void ASwapThatFoundItsExpectedValueIsLinearizable() =>
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2), Cas(1, 2, true, 3, 4), Read(2, 5, 6)]));

    [Fact]
    public void ASwapThatSucceededOnAValueTheKeyNoLongerHeldIsRejected() =>
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, 2), Write(3, 3, 4), Cas(1, 2, true, 5, 6)]));

    [Fact]
    public void ARefusedSwapMustHaveSeenACurrentValueOtherThanTheExpectedOne()
    {
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2), Write(3, 3, 4), Cas(1, 2, false, 5, 6, observed: 3)]));
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, 2), Cas(1, 2, false, 3, 4, observed: 1)]));
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, 2), Write(3, 3, 4), Cas(1, 2, false, 5, 6, observed: 1)]));
    }

    [Fact]
    public void ASwapOfUnknownOutcomeMayOrMayNotHaveHappened()
    {
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2), Cas(1, 2, null, 3, long.MaxValue), Read(2, 5, 6)]));
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2), Cas(1, 2, null, 3, long.MaxValue), Read(1, 5, 6)]));
        Assert.Equal(Verdict.NotLinearizable, Check([
            Write(1, 1, 2), Cas(1, 2, null, 3, long.MaxValue), Read(2, 5, 6), Read(1, 7, 8),
        ]));
    }

    [Fact]
    public void AfterADeleteTheKeyReadsAsAbsentUntilTheNextWrite()
    {
        Assert.Equal(Verdict.Linearizable, Check([
            Write(1, 1, 2), Operation.Delete(2, 0, 3, 4), Read(0, 5, 6), Cas(0, 7, true, 7, 8), Read(7, 9, 10),
        ]));
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, 2), Operation.Delete(2, 0, 3, 4), Read(1, 5, 6)]));
    }

    [Fact]
    public void SequentialWriteThenReadIsLinearizable() =>
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2), Read(1, 3, 4)]));

    [Fact]
    public void StaleReadAfterACompletedWriteIsRejected() =>
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, 2), Write(2, 3, 4), Read(1, 5, 6)]));

    [Fact]
    public void ReadOfAValueNeverWrittenIsRejected() =>
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, 2), Read(9, 3, 4)]));

    [Fact]
    public void ReadOverlappingAWriteMaySeeEitherValue()
    {
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2), Write(2, 3, 6), Read(1, 4, 5)]));
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2), Write(2, 3, 6), Read(2, 4, 5)]));
    }

    [Fact]
    public void ValuesCannotGoBackInTime() =>
        Assert.Equal(Verdict.NotLinearizable, Check([
            Write(1, 1, 10), Write(2, 2, 10), Read(2, 11, 12), Read(1, 13, 14),
        ]));

    [Fact]
    public void WriteWithUnknownOutcomeMayTakeEffectLateButOnlyOnce()
    {
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, long.MaxValue), Read(0, 2, 3), Read(1, 4, 5)]));
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, long.MaxValue), Read(1, 2, 3), Read(0, 4, 5)]));
    }

    [Fact]
    public void UnobservedPendingWritesNeitherHideNorCauseViolations()
    {
        var pending = Enumerable.Range(100, 30).Select(v => Write(v, v, long.MaxValue)).ToList();
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, 2), Write(2, 3, 4), Read(1, 5, 6), .. pending]));
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2), Read(1, 5, 6), .. pending]));
    }

    [Fact]
    public void KeysAreIndependentRegisters()
    {
        Assert.Equal(Verdict.Linearizable, Check([Write(1, 1, 2, key: 0), Read(0, 3, 4, key: 1)]));
        Assert.Equal(Verdict.NotLinearizable, Check([Write(1, 1, 2, key: 1), Read(0, 3, 4, key: 1)]));
    }

    [Fact]
    public void LongConcurrentLinearizableHistoryIsDecidedQuickly()
    {
        // Five clients on one register; each operation takes effect at a random point inside its window, in the order
        // of those points, so the history is linearizable by construction but heavily overlapping.
        var random = new Random(3);
        var ops = new List<Operation>();
        long value = 0;
        long time = 0;
        var open = new List<(int Client, bool IsWrite, long Value, long Call)>();
        for (int step = 0; step < 400; step++)
        {
            time++;
            if (open.Count < 5 && random.Next(2) == 0)
            {
                bool isWrite = random.Next(2) == 0;
                open.Add((open.Count, isWrite, isWrite ? step + 1 : 0, time));
                continue;
            }

            if (open.Count == 0)
            {
                continue;
            }

            var op = open[random.Next(open.Count)];
            open.Remove(op);
            long seen = op.IsWrite ? op.Value : value;
            value = op.IsWrite ? op.Value : value;
            ops.Add(new Operation(op.Client, 0, op.IsWrite, seen, op.Call, ++time));
        }

        Assert.Equal(Verdict.Linearizable, Check(ops, stepsMax: 1_000_000));

        // Corrupt one read to return a value that was overwritten before it began.
        var firstRead = ops.FindIndex(o => !o.IsWrite && o.Value != 0 && ops.Any(w => w.IsWrite && w.Value != o.Value
            && w.Call > o.Return));
        Assert.True(firstRead >= 0, "the generated history should contain an overwritten read");
        long end = ops.Max(o => o.Return);
        ops.Add(new Operation(9, 0, false, ops[firstRead].Value, end + 1, end + 2));
        Assert.Equal(Verdict.NotLinearizable, Check(ops, stepsMax: 1_000_000));
    }
}
