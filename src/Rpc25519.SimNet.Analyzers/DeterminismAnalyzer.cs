using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Rpc25519.SimNet.Analyzers;

/// <summary>
/// Flags APIs that escape a SimNet simulation or make a run differ from its replay: wall-clock reads, work started
/// off the node's scheduler, <c>ConfigureAwait(false)</c>, real timers, unseeded randomness, and orders that change
/// between processes. See docs/simnet.md for the table of what is caught at run time and what only here.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeterminismAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        Descriptors.WallClock, Descriptors.OffScheduler, Descriptors.ConfigureAwaitFalse, Descriptors.RealTimer,
        Descriptors.UnseededRandom, Descriptors.ProcessOrder);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var types = new KnownTypes(start.Compilation);
            start.RegisterOperationAction(c => Invocation(c, types), OperationKind.Invocation);
            start.RegisterOperationAction(c => PropertyReference(c, types), OperationKind.PropertyReference);
            start.RegisterOperationAction(c => ObjectCreation(c, types), OperationKind.ObjectCreation);
            start.RegisterOperationAction(c => ForEach(c, types), OperationKind.Loop);
        });
    }

    private static void Invocation(OperationAnalysisContext context, KnownTypes types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        INamedTypeSymbol type = method.ContainingType;
        string name = method.Name;
        string display = type.Name + "." + name;
        if (KnownTypes.Is(type, types.Task) && name == "Run")
        {
            Report(context, Descriptors.OffScheduler, "Task.Run");
        }
        else if ((KnownTypes.Is(type, types.TaskFactory) || KnownTypes.Is(type, types.TaskFactoryOfT))
            && name == "StartNew" && !method.Parameters.Any(p => KnownTypes.Is(p.Type, types.TaskScheduler)))
        {
            Report(context, Descriptors.OffScheduler, "Task.Factory.StartNew without a TaskScheduler");
        }
        else if (KnownTypes.Is(type, types.ThreadPool) || KnownTypes.Is(type, types.Parallel))
        {
            Report(context, Descriptors.OffScheduler, display);
        }
        else if (KnownTypes.Is(type, types.Thread) && name == "Sleep")
        {
            Report(context, Descriptors.RealTimer, "Thread.Sleep");
        }
        else if (KnownTypes.Is(type, types.Stopwatch) && method.IsStatic)
        {
            Report(context, Descriptors.WallClock, display);
        }
        else if (KnownTypes.Is(type, types.Task) && name == "Delay"
            && !method.Parameters.Any(p => KnownTypes.Is(p.Type, types.TimeProvider)))
        {
            bool fixable = method.Parameters.Length > 0 && KnownTypes.Is(method.Parameters[0].Type, types.TimeSpan);
            Report(context, Descriptors.RealTimer, "Task.Delay without a TimeProvider",
                fixable ? "addTimeProvider" : null);
        }
        else if ((KnownTypes.Is(type, types.Task) || KnownTypes.Is(type, types.TaskOfT)) && name == "WaitAsync"
            && method.Parameters.Any(p => KnownTypes.Is(p.Type, types.TimeSpan))
            && !method.Parameters.Any(p => KnownTypes.Is(p.Type, types.TimeProvider)))
        {
            Report(context, Descriptors.RealTimer, "Task.WaitAsync(TimeSpan) without a TimeProvider");
        }
        else if (name == "ConfigureAwait" && IsConfigureAwaitFalse(invocation, types, out bool removable))
        {
            Report(context, Descriptors.ConfigureAwaitFalse, invocation.Syntax.ToString(),
                removable ? "removeConfigureAwait" : null);
        }
        else if (KnownTypes.Is(type, types.Guid) && (name == "NewGuid" || name == "CreateVersion7"))
        {
            Report(context, Descriptors.UnseededRandom, display);
        }
        else if (type.SpecialType == SpecialType.System_String && name == "GetHashCode")
        {
            Report(context, Descriptors.ProcessOrder, "string.GetHashCode");
        }
    }

    private static bool IsConfigureAwaitFalse(IInvocationOperation invocation, KnownTypes types, out bool removable)
    {
        removable = false;
        INamedTypeSymbol type = invocation.TargetMethod.ContainingType;
        bool awaitable = KnownTypes.Is(type, types.Task) || KnownTypes.Is(type, types.TaskOfT)
            || KnownTypes.Is(type, types.ValueTask) || KnownTypes.Is(type, types.ValueTaskOfT)
            || KnownTypes.Is(type, types.AsyncEnumerableExtensions);
        if (!awaitable || invocation.Arguments.Length == 0)
        {
            return false;
        }
        IArgumentOperation argument = invocation.Arguments[invocation.Arguments.Length - 1];
        Optional<object?> constant = argument.Value.ConstantValue;
        if (!constant.HasValue)
        {
            return false;
        }
        if (constant.Value is bool flag)
        {
            removable = !flag && invocation.Instance is not null;
            return !flag;
        }
        // ConfigureAwaitOptions: ContinueOnCapturedContext is bit 1; without it the continuation leaves the context.
        return KnownTypes.Is(argument.Value.Type, types.ConfigureAwaitOptions)
            && constant.Value is int options && (options & 1) == 0;
    }

    private static void PropertyReference(OperationAnalysisContext context, KnownTypes types)
    {
        var reference = (IPropertyReferenceOperation)context.Operation;
        IPropertySymbol property = reference.Property;
        INamedTypeSymbol type = property.ContainingType;
        string name = property.Name;
        if (KnownTypes.Is(type, types.DateTime) && (name == "Now" || name == "UtcNow" || name == "Today"))
        {
            Report(context, Descriptors.WallClock, "DateTime." + name, "now:DateTime." + name);
        }
        else if (KnownTypes.Is(type, types.DateTimeOffset) && (name == "Now" || name == "UtcNow"))
        {
            Report(context, Descriptors.WallClock, "DateTimeOffset." + name, "now:DateTimeOffset." + name);
        }
        else if (KnownTypes.Is(type, types.Environment) && (name == "TickCount" || name == "TickCount64"))
        {
            Report(context, Descriptors.WallClock, "Environment." + name);
        }
        else if (KnownTypes.Is(type, types.Random) && name == "Shared")
        {
            Report(context, Descriptors.UnseededRandom, "Random.Shared");
        }
    }

    private static void ObjectCreation(OperationAnalysisContext context, KnownTypes types)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        ITypeSymbol? type = creation.Type;
        if (KnownTypes.Is(type, types.Random) && creation.Arguments.Length == 0)
        {
            Report(context, Descriptors.UnseededRandom, "new Random()");
        }
        else if (KnownTypes.Is(type, types.Thread))
        {
            Report(context, Descriptors.OffScheduler, "new Thread");
        }
        else if (KnownTypes.Is(type, types.ThreadingTimer) || KnownTypes.Is(type, types.TimersTimer))
        {
            Report(context, Descriptors.RealTimer, "new " + type!.ToDisplayString());
        }
        else if (KnownTypes.Is(type, types.Stopwatch))
        {
            Report(context, Descriptors.WallClock, "new Stopwatch");
        }
        else if (KnownTypes.Is(type, types.CancellationTokenSource) && creation.Arguments.Length == 1)
        {
            bool fixable = KnownTypes.Is(creation.Constructor?.Parameters[0].Type, types.TimeSpan);
            Report(context, Descriptors.RealTimer, "new CancellationTokenSource(delay) without a TimeProvider",
                fixable ? "addTimeProvider" : null);
        }
    }

    private static void ForEach(OperationAnalysisContext context, KnownTypes types)
    {
        if (context.Operation is not IForEachLoopOperation loop)
        {
            return;
        }
        IOperation collection = loop.Collection;
        while (collection is IConversionOperation conversion)
        {
            collection = conversion.Operand;
        }
        ITypeSymbol? type = collection.Type;
        if (KnownTypes.Is(type, types.ConcurrentDictionary) || KnownTypes.Is(type, types.ConcurrentBag))
        {
            Report(context, Descriptors.ProcessOrder, "foreach over " + type!.Name, null, collection.Syntax);
        }
    }

    private static void Report(OperationAnalysisContext context, DiagnosticDescriptor descriptor, string what,
        string? fix = null, SyntaxNode? at = null)
    {
        ImmutableDictionary<string, string?> properties = fix is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(DiagnosticIds.FixKey, fix);
        context.ReportDiagnostic(Diagnostic.Create(descriptor, (at ?? context.Operation.Syntax).GetLocation(),
            properties, what));
    }
}
