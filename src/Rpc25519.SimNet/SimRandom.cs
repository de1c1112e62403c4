using System.Numerics;

namespace Rpc25519.SimNet;

/// <summary>
/// A small seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) whose sequence is fixed by this
/// code, not by the .NET version. It derives independent sub-streams by purpose, so that a new draw in one place
/// (say, the network) does not shift the numbers seen by another (say, the schedule).
/// </summary>
/// <remarks>
/// <para>Hand a sub-stream to <c>RpcOptions.Random</c> to make a node's application randomness reproducible.</para>
/// <para>Thread-safety: not thread-safe. Under a simulation every draw happens on the simulation thread.</para>
/// </remarks>
public sealed class SimRandom : Random
{
    private const double UnitDouble = 1.0 / (1UL << 53);
    private const float UnitSingle = 1.0f / (1U << 24);

    private ulong _state0;
    private ulong _state1;
    private ulong _state2;
    private ulong _state3;

    /// <summary>Creates a generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    /// <param name="seed">Any value, 0 included.</param>
    // The base constructor that takes a seed is used on purpose: the parameterless one is banned (unseeded), and every
    // virtual member is overridden below, so the base generator is never consulted.
    public SimRandom(ulong seed) : base(0)
    {
        Seed = seed;
        ulong mix = seed;
        _state0 = SplitMix64(ref mix);
        _state1 = SplitMix64(ref mix);
        _state2 = SplitMix64(ref mix);
        _state3 = SplitMix64(ref mix);
        // xoshiro must not start from the all-zero state; SplitMix64 cannot produce four zeros in a row, check anyway.
        if ((_state0 | _state1 | _state2 | _state3) == 0)
        {
            throw new InvalidOperationException("SimRandom state is all zero; SplitMix64 seeding is broken.");
        }
    }

    /// <summary>The seed this generator was created with.</summary>
    public ulong Seed { get; }

    /// <summary>
    /// Returns an independent generator for <paramref name="purpose"/>. The result depends only on <see cref="Seed"/>
    /// and <paramref name="purpose"/>, never on how many numbers were drawn before, so streams can be added or drawn
    /// from in any order without disturbing each other.
    /// </summary>
    /// <param name="purpose">A stable label such as <c>"network"</c> or <c>"node/n3/app"</c>; compared
    /// ordinally.</param>
    public SimRandom Fork(string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        return new SimRandom(DeriveSeed(Seed, purpose));
    }

    /// <summary>Derives the seed of the sub-stream <paramref name="purpose"/> of <paramref name="seed"/>.</summary>
    /// <param name="seed">The parent seed.</param>
    /// <param name="purpose">A stable label; compared ordinally (FNV-1a over its UTF-16 code units).</param>
    public static ulong DeriveSeed(ulong seed, string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        ulong hash = 14695981039346656037UL;
        foreach (char c in purpose)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        ulong mix = seed ^ hash;
        SplitMix64(ref mix);
        return SplitMix64(ref mix);
    }

    /// <summary>Returns the next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_state1 * 5, 7) * 9;
        ulong shifted = _state1 << 17;
        _state2 ^= _state0;
        _state3 ^= _state1;
        _state1 ^= _state2;
        _state0 ^= _state3;
        _state2 ^= shifted;
        _state3 = BitOperations.RotateLeft(_state3, 45);
        return result;
    }

    /// <summary>Returns a uniform value in [0, <paramref name="bound"/>) without modulo bias.</summary>
    /// <param name="bound">Exclusive upper bound; must be positive.</param>
    public ulong NextUInt64(ulong bound)
    {
        if (bound == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), "The bound must be positive.");
        }
        // Lemire's multiply-and-reject: the high half of a 128-bit product is uniform once the low half passes.
        ulong threshold = (0 - bound) % bound;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
            if (low >= threshold)
            {
                return high;
            }
        }
    }

    /// <summary>Returns <see langword="true"/> with probability <paramref name="probability"/> (clamped to [0,
    /// 1]).</summary>
    /// <param name="probability">0 never, 1 always; values in between draw one number.</param>
    public bool Chance(double probability)
    {
        if (probability <= 0)
        {
            return false;
        }
        if (probability >= 1)
        {
            return true;
        }
        return NextDouble() < probability;
    }

    /// <inheritdoc/>
    public override int Next() => (int)NextUInt64((ulong)int.MaxValue);

    /// <inheritdoc/>
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return maxValue <= 1 ? 0 : (int)NextUInt64((ulong)maxValue);
    }

    /// <inheritdoc/>
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        ulong range = (ulong)((long)maxValue - minValue);
        return range <= 1 ? minValue : (int)(minValue + (long)NextUInt64(range));
    }

    /// <inheritdoc/>
    public override long NextInt64() => (long)NextUInt64((ulong)long.MaxValue);

    /// <inheritdoc/>
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return maxValue <= 1 ? 0 : (long)NextUInt64((ulong)maxValue);
    }

    /// <inheritdoc/>
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        ulong range = unchecked((ulong)(maxValue - minValue));
        return range <= 1 ? minValue : unchecked(minValue + (long)NextUInt64(range));
    }

    /// <inheritdoc/>
    public override double NextDouble() => (NextUInt64() >> 11) * UnitDouble;

    /// <inheritdoc/>
    public override float NextSingle() => (NextUInt64() >> 40) * UnitSingle;

    /// <inheritdoc/>
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <inheritdoc/>
    public override void NextBytes(Span<byte> buffer)
    {
        while (buffer.Length >= sizeof(ulong))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(buffer, NextUInt64());
            buffer = buffer[sizeof(ulong)..];
        }
        if (buffer.Length > 0)
        {
            ulong last = NextUInt64();
            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = (byte)(last >> (8 * i));
            }
        }
    }

    /// <inheritdoc/>
    protected override double Sample() => NextDouble();

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
