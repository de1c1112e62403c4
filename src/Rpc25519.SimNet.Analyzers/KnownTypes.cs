using Microsoft.CodeAnalysis;

namespace Rpc25519.SimNet.Analyzers;

/// <summary>The framework types the rules look for, resolved once per compilation (null when absent).</summary>
internal sealed class KnownTypes
{
    public KnownTypes(Compilation compilation)
    {
        DateTime = compilation.GetSpecialType(SpecialType.System_DateTime);
        DateTimeOffset = compilation.GetTypeByMetadataName("System.DateTimeOffset");
        Environment = compilation.GetTypeByMetadataName("System.Environment");
        Stopwatch = compilation.GetTypeByMetadataName("System.Diagnostics.Stopwatch");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        AsyncEnumerableExtensions = compilation.GetTypeByMetadataName(
            "System.Threading.Tasks.TaskAsyncEnumerableExtensions");
        ConfigureAwaitOptions = compilation.GetTypeByMetadataName("System.Threading.Tasks.ConfigureAwaitOptions");
        TaskFactory = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory");
        TaskFactoryOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory`1");
        TaskScheduler = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskScheduler");
        ThreadPool = compilation.GetTypeByMetadataName("System.Threading.ThreadPool");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        Parallel = compilation.GetTypeByMetadataName("System.Threading.Tasks.Parallel");
        ThreadingTimer = compilation.GetTypeByMetadataName("System.Threading.Timer");
        TimersTimer = compilation.GetTypeByMetadataName("System.Timers.Timer");
        CancellationTokenSource = compilation.GetTypeByMetadataName("System.Threading.CancellationTokenSource");
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
        TimeProvider = compilation.GetTypeByMetadataName("System.TimeProvider");
        Random = compilation.GetTypeByMetadataName("System.Random");
        Guid = compilation.GetTypeByMetadataName("System.Guid");
        ConcurrentDictionary = compilation.GetTypeByMetadataName(
            "System.Collections.Concurrent.ConcurrentDictionary`2");
        ConcurrentBag = compilation.GetTypeByMetadataName("System.Collections.Concurrent.ConcurrentBag`1");
    }

    public INamedTypeSymbol DateTime { get; }

    public INamedTypeSymbol? DateTimeOffset { get; }

    public INamedTypeSymbol? Environment { get; }

    public INamedTypeSymbol? Stopwatch { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? AsyncEnumerableExtensions { get; }

    public INamedTypeSymbol? ConfigureAwaitOptions { get; }

    public INamedTypeSymbol? TaskFactory { get; }

    public INamedTypeSymbol? TaskFactoryOfT { get; }

    public INamedTypeSymbol? TaskScheduler { get; }

    public INamedTypeSymbol? ThreadPool { get; }

    public INamedTypeSymbol? Thread { get; }

    public INamedTypeSymbol? Parallel { get; }

    public INamedTypeSymbol? ThreadingTimer { get; }

    public INamedTypeSymbol? TimersTimer { get; }

    public INamedTypeSymbol? CancellationTokenSource { get; }

    public INamedTypeSymbol? TimeSpan { get; }

    public INamedTypeSymbol? TimeProvider { get; }

    public INamedTypeSymbol? Random { get; }

    public INamedTypeSymbol? Guid { get; }

    public INamedTypeSymbol? ConcurrentDictionary { get; }

    public INamedTypeSymbol? ConcurrentBag { get; }

    /// <summary>True if <paramref name="type"/> is <paramref name="wanted"/> (generic definitions compared).</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? wanted) =>
        wanted is not null && type is not null
        && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, wanted);
}
