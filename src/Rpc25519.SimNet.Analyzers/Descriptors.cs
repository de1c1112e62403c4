using Microsoft.CodeAnalysis;

namespace Rpc25519.SimNet.Analyzers;

/// <summary>The diagnostic descriptors (one per rule).</summary>
internal static class Descriptors
{
    private const string Category = "Determinism";

    public static readonly DiagnosticDescriptor WallClock = Create(DiagnosticIds.WallClock,
        "Wall clock read in code that may run under simulation",
        "'{0}' reads the real clock; take time from the node's TimeProvider (GetUtcNow, GetTimestamp, " +
        "GetElapsedTime) so that a simulation replays",
        "Under SimNet every node has a virtual clock, reached only through the TimeProvider in its config. A real " +
        "clock read differs on every run and breaks replay by seed.");

    public static readonly DiagnosticDescriptor OffScheduler = Create(DiagnosticIds.OffScheduler,
        "Work started off the node's scheduler",
        "'{0}' runs work on the thread pool or another thread; start it on the node's TaskScheduler " +
        "(Task.Factory.StartNew(work, ct, options, scheduler)) or await it directly",
        "SimNet runs every node on one thread under its own scheduler. Work sent to the thread pool or to a new " +
        "thread runs outside the simulation, in an order the operating system picks.");

    public static readonly DiagnosticDescriptor ConfigureAwaitFalse = Create(DiagnosticIds.ConfigureAwaitFalse,
        "ConfigureAwait(false) leaves the simulation",
        "'{0}' sends the continuation to the thread pool when a scheduling context is installed (as SimNet does); " +
        "remove it",
        "Under a custom SynchronizationContext the runtime does not run a ConfigureAwait(false) continuation inline; " +
        "it queues it to the thread pool, outside the simulation.");

    public static readonly DiagnosticDescriptor RealTimer = Create(DiagnosticIds.RealTimer,
        "Real timer in code that may run under simulation",
        "'{0}' uses a real timer; pass the node's TimeProvider (Task.Delay(delay, timeProvider), " +
        "new CancellationTokenSource(delay, timeProvider), timeProvider.CreateTimer)",
        "Real timers fire in real time on thread-pool threads, outside the simulation's virtual clock.");

    public static readonly DiagnosticDescriptor UnseededRandom = Create(DiagnosticIds.UnseededRandom,
        "Unseeded randomness",
        "'{0}' is not derived from the run's seed; use the node's seeded Random from its config",
        "A simulation replays only if every random choice comes from the seed. Cryptographic keys and nonces are " +
        "the one exception, and must never decide an order.");

    public static readonly DiagnosticDescriptor ProcessOrder = Create(DiagnosticIds.ProcessOrder,
        "Order that differs between processes",
        "'{0}' gives an order or value that changes between processes (hash seeds, processor count); sort, or " +
        "use an ordered collection, before the order can reach the wire or a decision",
        "String hash codes are randomized per process, and concurrent collections enumerate in an order that " +
        "depends on hash codes and the processor count.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string description) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, description);
}
