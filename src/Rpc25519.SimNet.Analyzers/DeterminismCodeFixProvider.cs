using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Rpc25519.SimNet.Analyzers;

/// <summary>
/// Obvious fixes for <see cref="DeterminismAnalyzer"/>: a clock read becomes a call on the <c>TimeProvider</c> in
/// scope (a local, parameter, field or property), <c>ConfigureAwait(false)</c> is removed, and a
/// <c>Task.Delay</c> or <c>CancellationTokenSource</c> with a <c>TimeSpan</c> gets the TimeProvider in
/// scope as an argument. Without a TimeProvider in scope, only the removal is offered.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DeterminismCodeFixProvider))]
[Shared]
public sealed class DeterminismCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        DiagnosticIds.WallClock, DiagnosticIds.ConfigureAwaitFalse, DiagnosticIds.RealTimer);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        // (No ConfigureAwait(false) here: the rules of this repository ban it, and the IDE does not need it.)
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken);
        if (root is null || model is null)
        {
            return;
        }
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticIds.FixKey, out string? fix) || fix is null)
            {
                continue;
            }
            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (fix == "removeConfigureAwait" && node is InvocationExpressionSyntax
                {
                    Expression: MemberAccessExpressionSyntax access,
                })
            {
                context.RegisterCodeFix(CodeAction.Create("Remove ConfigureAwait(false)",
                    _ => Replace(context.Document, root, node, access.Expression.WithTriviaFrom(node)),
                    "SimNetRemoveConfigureAwait"), diagnostic);
                continue;
            }
            string? provider = FindTimeProvider(model, node, context.CancellationToken);
            if (provider is null)
            {
                continue;
            }
            if (fix.StartsWith("now:", System.StringComparison.Ordinal))
            {
                string replacement = fix.Substring(4) switch
                {
                    "DateTime.UtcNow" => provider + ".GetUtcNow().UtcDateTime",
                    "DateTime.Now" => provider + ".GetLocalNow().DateTime",
                    "DateTime.Today" => provider + ".GetLocalNow().Date",
                    "DateTimeOffset.UtcNow" => provider + ".GetUtcNow()",
                    _ => provider + ".GetLocalNow()",
                };
                ExpressionSyntax expression = SyntaxFactory.ParseExpression(replacement).WithTriviaFrom(node);
                context.RegisterCodeFix(CodeAction.Create($"Use {provider}",
                    _ => Replace(context.Document, root, node, expression), "SimNetUseTimeProvider"), diagnostic);
            }
            else if (fix == "addTimeProvider")
            {
                ArgumentListSyntax? arguments = node switch
                {
                    InvocationExpressionSyntax invocation => invocation.ArgumentList,
                    BaseObjectCreationExpressionSyntax creation => creation.ArgumentList,
                    _ => null,
                };
                if (arguments is null || arguments.Arguments.Count == 0)
                {
                    continue;
                }
                // The TimeProvider goes right after the delay: Delay(delay, provider[, ct]), new CTS(delay, provider).
                ArgumentListSyntax updated = arguments.WithArguments(arguments.Arguments.Insert(1,
                    SyntaxFactory.Argument(SyntaxFactory.ParseExpression(provider))));
                context.RegisterCodeFix(CodeAction.Create($"Pass {provider}",
                    _ => Replace(context.Document, root, arguments, updated), "SimNetPassTimeProvider"), diagnostic);
            }
        }
    }

    private static Task<Document> Replace(Document document, SyntaxNode root, SyntaxNode old, SyntaxNode replacement) =>
        Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(old, replacement)));

    /// <summary>The name of a TimeProvider usable at <paramref name="node"/>: locals and parameters first, then
    /// fields and properties (instance ones only outside static members), by name.</summary>
    private static string? FindTimeProvider(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? timeProvider = model.Compilation.GetTypeByMetadataName("System.TimeProvider");
        if (timeProvider is null)
        {
            return null;
        }
        ISymbol? enclosing = model.GetEnclosingSymbol(node.SpanStart, cancellationToken);
        bool inStatic = enclosing is { IsStatic: true }
            || (enclosing is IMethodSymbol { MethodKind: MethodKind.LambdaMethod or MethodKind.LocalFunction }
                && IsInStaticMember(enclosing));
        var candidates = model.LookupSymbols(node.SpanStart)
            .Select(symbol => (Symbol: symbol, Type: TypeOf(symbol), Rank: Rank(symbol)))
            .Where(c => c.Type is not null && DerivesFrom(c.Type, timeProvider) && c.Rank >= 0
                && (!inStatic || c.Symbol.IsStatic || c.Symbol.Kind is SymbolKind.Local or SymbolKind.Parameter))
            .OrderBy(c => c.Rank)
            .ThenBy(c => c.Symbol.Name, System.StringComparer.Ordinal);
        foreach ((ISymbol symbol, ITypeSymbol? _, int _) in candidates)
        {
            return symbol.Name;
        }
        return null;
    }

    private static bool IsInStaticMember(ISymbol symbol)
    {
        for (ISymbol? current = symbol; current is not null; current = current.ContainingSymbol)
        {
            if (current is IMethodSymbol { MethodKind: not (MethodKind.LambdaMethod or MethodKind.LocalFunction) })
            {
                return current.IsStatic;
            }
        }
        return false;
    }

    private static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => null,
    };

    private static int Rank(ISymbol symbol) => symbol.Kind switch
    {
        SymbolKind.Local => 0,
        SymbolKind.Parameter => 1,
        SymbolKind.Field => 2,
        SymbolKind.Property => 3,
        _ => -1,
    };

    private static bool DerivesFrom(ITypeSymbol type, INamedTypeSymbol wanted)
    {
        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current, wanted))
            {
                return true;
            }
        }
        return false;
    }
}
