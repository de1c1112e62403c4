namespace Rpc25519.SimNet;

/// <summary>
/// Code under simulation left the simulation thread or virtual time (thread pool, a real timer, a foreign thread),
/// so the run can no longer be deterministic. The message names the probable cause.
/// </summary>
public sealed class SimulationEscapeException : SimulationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What escaped and the probable cause.</param>
    public SimulationEscapeException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What escaped and the probable cause.</param>
    /// <param name="innerException">The cause.</param>
    public SimulationEscapeException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
