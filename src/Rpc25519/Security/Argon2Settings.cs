namespace Rpc25519.Security;

/// <summary>
/// Cost of the Argon2id key derivation that turns a pass-phrase into the key protecting a private key file. The values
/// are stored in each file, so files made with other settings still open.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record Argon2Settings
{
    /// <summary>The default: 3 passes over 64 MiB with one lane (RFC 9106's second recommended setting, one lane);
    /// about 0.7 s on a small machine.</summary>
    public static Argon2Settings Default { get; } = new();

    /// <summary>Number of passes over memory (Argon2 <c>t</c>). Default 3; at least 1.</summary>
    public int Iterations { get; init; } = 3;

    /// <summary>Memory used, in KiB (Argon2 <c>m</c>). Default 65,536 (64 MiB); at least 8 × <see
    /// cref="Threads"/>.</summary>
    public int MemoryKiB { get; init; } = 64 * 1024;

    /// <summary>Lanes (Argon2 <c>p</c>). Default 1.</summary>
    public int Threads { get; init; } = 1;

    internal void Validate()
    {
        if (Iterations < 1 || Threads < 1 || Threads > 255 || MemoryKiB < 8 * Threads)
        {
            throw new ArgumentException($"Argon2 settings t={Iterations}, m={MemoryKiB} KiB, p={Threads} are out of " +
                "range: need t ≥ 1, 1 ≤ p ≤ 255 and m ≥ 8·p.");
        }
    }
}
