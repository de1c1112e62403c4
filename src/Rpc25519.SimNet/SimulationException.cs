namespace Rpc25519.SimNet;

/// <summary>
/// A simulation run failed: a step or virtual-time limit was hit, the run deadlocked, an escape was detected, or node
/// code threw. When thrown by <see cref="Simulation.Run"/>, the message carries the seed, the step, the virtual time
/// and the last trace events, so the run can be replayed with the same seed.
/// </summary>
public class SimulationException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SimulationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SimulationException(string message, Exception? innerException) : base(message, innerException)
    {
    }

    /// <summary>The seed of the failed run, when known.</summary>
    public ulong? Seed { get; init; }

    /// <summary>The step at which the run failed, when known.</summary>
    public long? Step { get; init; }

    /// <summary>The virtual time at which the run failed, when known.</summary>
    public TimeSpan? VirtualTime { get; init; }
}
