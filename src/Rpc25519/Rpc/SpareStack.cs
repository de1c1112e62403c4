namespace Rpc25519.Rpc;

/// <summary>An object that can wait in a <see cref="SpareStack{T}"/>.</summary>
/// <typeparam name="T">The object's own type.</typeparam>
internal interface ISpareItem<T>
    where T : class
{
    /// <summary>The next object in the stack (set by the stack only, while this one waits in it).</summary>
    T? NextSpare { get; set; }
}

/// <summary>
/// Finished objects kept for reuse (per connection or session), bounded: anyone pushes without a lock; taking one
/// takes no lock either. Only one taker runs at a time (a second one at the same moment just gets nothing and makes
/// a new object), which is what keeps the compare-and-swap pop safe: an object cannot be taken and pushed back
/// between a taker's read of the top and its swap, because only that taker takes.
/// </summary>
/// <typeparam name="T">The objects kept.</typeparam>
/// <param name="max">At most this many are kept (give or take pushes racing each other); the rest are left to the
/// collector.</param>
internal sealed class SpareStack<T>(int max)
    where T : class, ISpareItem<T>
{
    /// <summary>The top of the stack.</summary>
    private T? _head;

    /// <summary>About how many objects the stack holds.</summary>
    private int _count;

    /// <summary>1 while a taker runs.</summary>
    private int _taking;

    /// <summary>About how many objects wait (for tests).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Keeps <paramref name="item"/>, which nobody uses any more, unless the stack is full.</summary>
    public void Push(T item)
    {
        if (Volatile.Read(ref _count) >= max)
        {
            return;
        }
        Interlocked.Increment(ref _count);
        T? head;
        do
        {
            head = Volatile.Read(ref _head);
            item.NextSpare = head;
        }
        while (Interlocked.CompareExchange(ref _head, item, head) != head);
    }

    /// <summary>Takes a kept object, or null when there is none (or another taker is running).</summary>
    public T? TryPop()
    {
        if (Interlocked.CompareExchange(ref _taking, 1, 0) != 0)
        {
            return null;
        }
        try
        {
            T? top = Volatile.Read(ref _head);
            while (top is not null)
            {
                if (Interlocked.CompareExchange(ref _head, top.NextSpare, top) == top)
                {
                    Interlocked.Decrement(ref _count);
                    top.NextSpare = null;
                    return top;
                }
                top = Volatile.Read(ref _head);
            }
            return null;
        }
        finally
        {
            Volatile.Write(ref _taking, 0);
        }
    }

    /// <summary>Lets every kept object go (its owner is closing).</summary>
    public void Clear()
    {
        Volatile.Write(ref _head, null);
        Volatile.Write(ref _count, 0);
    }
}
