using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rpc25519.Transport;

/// <summary>
/// What a transport needs from the program around it: a clock (handshake timeouts), a scheduler for the work it starts
/// itself (handshakes, record loops) and logging. <see cref="RpcServer"/> and <see cref="RpcClient"/> pass theirs from
/// <see cref="RpcOptions"/>; a program that builds a transport itself may leave it at <see cref="Default"/>.
/// </summary>
/// <param name="TimeProvider">The clock.</param>
/// <param name="TaskScheduler">Where the transport starts its own work.</param>
/// <param name="LoggerFactory">Logging.</param>
public sealed record TransportEnvironment(TimeProvider TimeProvider, TaskScheduler TaskScheduler,
    ILoggerFactory LoggerFactory)
{
    /// <summary>The system clock, the thread pool and no logging.</summary>
    public static TransportEnvironment Default { get; } =
        new(TimeProvider.System, TaskScheduler.Default, NullLoggerFactory.Instance);

}
