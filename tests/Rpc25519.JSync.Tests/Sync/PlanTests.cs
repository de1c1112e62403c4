using Rpc25519.JSync.Chunking;
using Rpc25519.JSync.Protocol;
using Rpc25519.JSync.Sync;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Sync;

public class PlanTests
{
    private static ChunkIndex IndexOf(int source, byte[] data)
    {
        var index = new ChunkIndex();
        using var chunker = new StreamChunker(new MemoryStream(data));
        while (chunker.MoveNext())
        {
            if (!chunker.Current.IsZero)
            {
                index.Add(chunker.Current.Hash, new ChunkLocation(source, chunker.Current.Offset, chunker.Current.Length));
            }
        }
        return index;
    }

    private static ComputedPlan Plan(byte[] receiver, byte[] sender) =>
        FilePlanner.ComputePlan(new MemoryStream(sender), IndexOf(0, receiver));

    [Fact]
    public void Identical_file_needs_no_literals()
    {
        byte[] data = Trees.RandomBytes(1_000_000, 10);
        ComputedPlan plan = Plan(data, data);
        Assert.Empty(plan.Literals);
        // Adjacent chunks merge: an unchanged file is one copy of the whole old file.
        Assert.Equal([PlanStep.Copy(0, 0, data.Length)], plan.Steps);
    }

    [Fact]
    public void An_edit_in_the_middle_sends_only_nearby_chunks()
    {
        byte[] old = Trees.RandomBytes(4_000_000, 11);
        byte[] edited = (byte[])old.Clone();
        Trees.RandomBytes(500, 12).CopyTo(edited, 2_000_000);
        ComputedPlan plan = Plan(old, edited);
        Assert.InRange(plan.LiteralBytes, 500, 3 * ChunkerOptions.Default.MaxSize);
        Assert.Equal(edited.Length, plan.Steps.Sum(s => s.Length));
    }

    [Fact]
    public void An_insert_and_an_append_send_little()
    {
        byte[] old = Trees.RandomBytes(4_000_000, 13);
        byte[] changed = [.. old.AsSpan(0, 100_000), .. Trees.RandomBytes(1024, 14), .. old.AsSpan(100_000), .. Trees.RandomBytes(3000, 15)];
        ComputedPlan plan = Plan(old, changed);
        Assert.InRange(plan.LiteralBytes, 4024, 4 * ChunkerOptions.Default.MaxSize);
    }

    [Fact]
    public void Zero_runs_become_one_zero_step_and_repeats_copy_from_earlier_literals()
    {
        byte[] block = Trees.RandomBytes(300_000, 16);
        byte[] file = [.. block, .. new byte[2_000_000], .. block];
        ComputedPlan plan = FilePlanner.ComputePlan(new MemoryStream(file), new ChunkIndex());
        Assert.Single(plan.Steps, s => s.Kind == StepKind.Zero && s.Length > 1_000_000);
        Assert.InRange(plan.LiteralBytes, 300_000, 300_000 + (2 * ChunkerOptions.Default.MaxSize));
    }
}
