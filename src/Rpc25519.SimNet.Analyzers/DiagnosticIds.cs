namespace Rpc25519.SimNet.Analyzers;

/// <summary>The ids of the diagnostics of <see cref="DeterminismAnalyzer"/>.</summary>
public static class DiagnosticIds
{
    /// <summary>A wall-clock read.</summary>
    public const string WallClock = "SIMNET001";

    /// <summary>Work started off the node's scheduler.</summary>
    public const string OffScheduler = "SIMNET002";

    /// <summary>ConfigureAwait(false).</summary>
    public const string ConfigureAwaitFalse = "SIMNET003";

    /// <summary>A real timer or real-time wait.</summary>
    public const string RealTimer = "SIMNET004";

    /// <summary>Unseeded randomness.</summary>
    public const string UnseededRandom = "SIMNET005";

    /// <summary>An order that changes between processes.</summary>
    public const string ProcessOrder = "SIMNET006";

    /// <summary>The key of the diagnostic property that tells the code fix what to write.</summary>
    public const string FixKey = "SimNetFix";
}
