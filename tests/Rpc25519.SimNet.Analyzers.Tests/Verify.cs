using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;

namespace Rpc25519.SimNet.Analyzers.Tests;

/// <summary>
/// Runs the analyzer and its code fixes with the Roslyn testing library, against the assemblies of the runtime that
/// runs the tests (no reference-assembly package is downloaded at test time).
/// </summary>
internal static class Verify
{
    private static readonly ImmutableArray<MetadataReference> RuntimeReferences =
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Order(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path)),
    ];

    private static readonly ReferenceAssemblies NoPackage = new("net10.0");

    public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(id, DiagnosticSeverity.Warning);

    public static async Task Analyzer(string source, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<DeterminismAnalyzer, DefaultVerifier>
        {
            TestCode = source, ReferenceAssemblies = NoPackage,
        };
        test.TestState.AdditionalReferences.AddRange(RuntimeReferences);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static Task CodeFix(string source, string fixedSource, params DiagnosticResult[] expected) =>
        CodeFix(source, fixedSource, [], expected);

    /// <param name="remaining">Diagnostics still expected in the fixed code (no fix offered for them).</param>
    public static async Task CodeFix(string source, string fixedSource, DiagnosticResult[] remaining,
        params DiagnosticResult[] expected)
    {
        var test = new CSharpCodeFixTest<DeterminismAnalyzer, DeterminismCodeFixProvider, DefaultVerifier>
        {
            TestCode = source, FixedCode = fixedSource, ReferenceAssemblies = NoPackage,
        };
        test.TestState.AdditionalReferences.AddRange(RuntimeReferences);
        test.FixedState.AdditionalReferences.AddRange(RuntimeReferences);
        test.ExpectedDiagnostics.AddRange(expected);
        test.FixedState.ExpectedDiagnostics.AddRange(remaining);
        await test.RunAsync();
    }
}
