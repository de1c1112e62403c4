using Rpc25519.Rpc;

namespace Rpc25519.Tests.Session;

public sealed class SpareStackTests
{
    private sealed class Item : ISpareItem<Item>
    {
        public Item? NextSpare { get; set; }

        /// <summary>1 while handed out.</summary>
        public int InUse;
    }

    [Fact]
    public void It_keeps_at_most_its_bound_and_hands_back_what_was_pushed()
    {
        var stack = new SpareStack<Item>(2);
        Assert.Null(stack.TryPop());
        Item a = new(), b = new(), c = new();
        stack.Push(a);
        stack.Push(b);
        stack.Push(c);
        Assert.Equal(2, stack.Count);
        Assert.Same(b, stack.TryPop());
        Assert.Same(a, stack.TryPop());
        Assert.Null(stack.TryPop());
        Assert.Equal(0, stack.Count);

        stack.Push(a);
        stack.Clear();
        Assert.Null(stack.TryPop());
    }

    [Fact]
    public async Task Racing_takers_and_givers_never_hand_out_an_object_twice()
    {
        var stack = new SpareStack<Item>(8);
        int doubleHandOuts = 0;

        void Work()
        {
            for (int i = 0; i < 50_000; i++)
            {
                Item item = stack.TryPop() ?? new Item();
                if (Interlocked.Exchange(ref item.InUse, 1) != 0)
                {
                    Interlocked.Increment(ref doubleHandOuts);
                }
                Volatile.Write(ref item.InUse, 0);
                stack.Push(item);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(Work)));
        Assert.Equal(0, doubleHandOuts);
        Assert.InRange(stack.Count, 1, 8 + 4);
    }
}
