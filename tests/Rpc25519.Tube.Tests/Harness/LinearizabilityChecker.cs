namespace Rpc25519.Tube.Tests.Harness;

/// <summary>
/// Checks a history of register operations for linearizability with the Wing–Gong search as refined by Lowe
/// (just-in-time linearization with a cache of visited (linearized set, state) pairs), the algorithm Porcupine uses.
/// Keys are independent registers, so each key's sub-history is checked on its own (P-compositionality).
/// Written values must be unique within a history (the simulation's are).
/// </summary>
internal static class LinearizabilityChecker
{
    /// <summary>The outcome of a check: linearizable, not, or undecided within the step budget.</summary>
    internal enum Verdict
    {
        Linearizable,
        NotLinearizable,
        Unknown,
    }

    public static Verdict Check(IReadOnlyList<Operation> history, long stepsMax = 5_000_000)
    {
        var verdict = Verdict.Linearizable;
        foreach (var group in WithoutUnobservedPendingWrites(history).GroupBy(op => op.Key).OrderBy(g => g.Key))
        {
            var keyVerdict = CheckOneKey(group.ToList(), stepsMax);
            if (keyVerdict == Verdict.NotLinearizable)
            {
                return keyVerdict;
            }

            if (keyVerdict == Verdict.Unknown)
            {
                verdict = Verdict.Unknown;
            }
        }

        return verdict;
    }

    /// <summary>
    /// Drops writes and swaps of unknown outcome whose value nothing observed (no read returned it, no swap expected
    /// it, no refused swap saw it). Such an operation can always be linearized last (its response time is infinite),
    /// and with unique values it can never be what makes another operation legal, so the verdict does not change; but
    /// each one multiplies the search space, since it could go anywhere after its call. Deletes are kept: the 0 they
    /// leave is observable.
    /// </summary>
    private static IEnumerable<Operation> WithoutUnobservedPendingWrites(IReadOnlyList<Operation> history)
    {
        var observed = new HashSet<(int, long)>();
        foreach (Operation op in history)
        {
            switch (op.Kind)
            {
                case OperationKind.Read:
                    observed.Add((op.Key, op.Value));
                    break;
                case OperationKind.CompareAndSwap:
                    observed.Add((op.Key, op.Expected));
                    observed.Add((op.Key, op.Observed));
                    break;
            }
        }

        return history.Where(op => op.Kind is OperationKind.Read or OperationKind.Delete || !op.IsPending
            || observed.Contains((op.Key, op.Value)));
    }

    private sealed class Entry
    {
        public int Op;
        public bool IsCall;
        public Entry? Match;
        public Entry? Prev;
        public Entry? Next;
    }

    private static Verdict CheckOneKey(List<Operation> ops, long stepsMax)
    {
        var head = BuildList(ops);
        var linearized = new Bitset(ops.Count);
        var cache = new HashSet<(Bitset, long)>(new CacheComparer());
        var stack = new Stack<(Entry Call, long State)>();
        long state = 0;
        long steps = 0;
        var entry = head.Next;
        while (head.Next is not null)
        {
            if (++steps > stepsMax)
            {
                return Verdict.Unknown;
            }

            if (entry!.IsCall)
            {
                var op = ops[entry.Op];
                if (TryApply(state, op, out long next))
                {
                    linearized.Set(entry.Op);
                    if (cache.Add((linearized.Clone(), next)))
                    {
                        stack.Push((entry, state));
                        state = next;
                        Lift(entry);
                        entry = head.Next;
                        continue;
                    }

                    linearized.Clear(entry.Op);
                }

                entry = entry.Next;
            }
            else
            {
                // We reached an operation's return before linearizing it: undo the last choice.
                if (stack.Count == 0)
                {
                    return Verdict.NotLinearizable;
                }

                var (call, previous) = stack.Pop();
                state = previous;
                linearized.Clear(call.Op);
                Unlift(call);
                entry = call.Next;
            }
        }

        return Verdict.Linearizable;
    }

    /// <summary>The register model: a write always succeeds; a read must see the current value; a delete leaves 0; a
    /// swap that succeeded must have found its expected value, one that was refused the value it reported (and not
    /// the expected one), and one of unknown outcome swaps if it can (the case where it never happened is the one
    /// linearized last).</summary>
    private static bool TryApply(long state, Operation op, out long next)
    {
        switch (op.Kind)
        {
            case OperationKind.Write:
                next = op.Value;
                return true;
            case OperationKind.Delete:
                next = 0;
                return true;
            case OperationKind.CompareAndSwap when op.Swapped == true:
                next = op.Value;
                return state == op.Expected;
            case OperationKind.CompareAndSwap when op.Swapped == false:
                next = state;
                return state == op.Observed && state != op.Expected;
            case OperationKind.CompareAndSwap:
                next = state == op.Expected ? op.Value : state;
                return true;
            default:
                next = state;
                return op.Value == state;
        }
    }

    private static Entry BuildList(List<Operation> ops)
    {
        var events = new List<(long Time, int Order, Entry Entry)>();
        for (int i = 0; i < ops.Count; i++)
        {
            var call = new Entry { Op = i, IsCall = true };
            var ret = new Entry { Op = i, IsCall = false };
            call.Match = ret;
            events.Add((ops[i].Call, 0, call));
            events.Add((ops[i].Return, 1, ret));
        }

        events.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time)
            : a.Order != b.Order ? a.Order.CompareTo(b.Order) : a.Entry.Op.CompareTo(b.Entry.Op));
        var head = new Entry { Op = -1 };
        var last = head;
        foreach (var (_, _, e) in events)
        {
            last.Next = e;
            e.Prev = last;
            last = e;
        }

        return head;
    }

    /// <summary>Removes a call and its return from the list (the operation is linearized).</summary>
    private static void Lift(Entry call)
    {
        call.Prev!.Next = call.Next;
        if (call.Next is not null)
        {
            call.Next.Prev = call.Prev;
        }

        var ret = call.Match!;
        ret.Prev!.Next = ret.Next;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret.Prev;
        }
    }

    /// <summary>Puts a lifted call and its return back where they were.</summary>
    private static void Unlift(Entry call)
    {
        var ret = call.Match!;
        ret.Prev!.Next = ret;
        if (ret.Next is not null)
        {
            ret.Next.Prev = ret;
        }

        call.Prev!.Next = call;
        if (call.Next is not null)
        {
            call.Next.Prev = call;
        }
    }

    private sealed class Bitset
    {
        private readonly ulong[] words;

        public Bitset(int bits) => words = new ulong[(bits + 63) / 64];

        private Bitset(ulong[] words) => this.words = words;

        public void Set(int bit) => words[bit >> 6] |= 1UL << (bit & 63);

        public void Clear(int bit) => words[bit >> 6] &= ~(1UL << (bit & 63));

        public Bitset Clone() => new((ulong[])words.Clone());

        public bool SameAs(Bitset other) => words.AsSpan().SequenceEqual(other.words);

        public int Hash()
        {
            var hash = new HashCode();
            foreach (ulong word in words)
            {
                hash.Add(word);
            }

            return hash.ToHashCode();
        }
    }

    private sealed class CacheComparer : IEqualityComparer<(Bitset, long)>
    {
        public bool Equals((Bitset, long) x, (Bitset, long) y) => x.Item2 == y.Item2 && x.Item1.SameAs(y.Item1);

        public int GetHashCode((Bitset, long) obj) => HashCode.Combine(obj.Item1.Hash(), obj.Item2);
    }
}
