using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Rpc25519.Docs.Tests;

/// <summary>Compiles doc blocks with Roslyn against the runtime and the libraries built beside the tests (no project,
/// no restore: a block takes milliseconds).</summary>
public static class DocCompiler
{
    /// <summary>The usings <c>dotnet new console</c> implies.</summary>
    private static readonly string[] ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading",
        "System.Threading.Tasks",
    ];

    private static readonly string[] LibraryAssemblies =
        ["Rpc25519", "Rpc25519.Hosting", "Rpc25519.SimNet", "Rpc25519.Tube", "Rpc25519.JSync", "Rpc25519.Quic",
            "Rpc25519.Tube.Etcd"];

    private static readonly Lazy<List<MetadataReference>> References = new(LoadReferences);

    private static readonly Lazy<string> SnippetUsings = new(() => string.Join('\n',
        ImplicitUsings
            .Concat(["System.Net", "System.Text", "Microsoft.Extensions.DependencyInjection",
                "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Configuration"])
            .Concat(LibraryAssemblies.SelectMany(PublicNamespaces))
            .Distinct(StringComparer.Ordinal)
            .Select(n => $"global using {n};")));

    /// <summary>The compiler's errors for <paramref name="block"/>, each with its line in the Markdown file.</summary>
    public static List<string> Errors(DocBlock block) =>
        [.. Compile(block).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => $"{block.File}:{block.Line + 1 + d.Location.GetLineSpan().StartLinePosition.Line}: " +
                $"{d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")];

    /// <summary>The block compiled into an assembly, to run a program block; throws with the errors when it does not
    /// compile.</summary>
    public static Assembly Load(DocBlock block)
    {
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult result = Compile(block).Emit(image);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{block} does not compile:\n" + string.Join('\n', Errors(block)));
        }

        return Assembly.Load(image.ToArray());
    }

    private static CSharpCompilation Compile(DocBlock block)
    {
        bool snippet = block.Kind == "snippet";
        string usings = snippet ? SnippetUsings.Value
            : string.Join('\n', ImplicitUsings.Select(n => $"global using {n};"));
        // The prelude goes on the block's first line, so that line numbers in the block stay the file's.
        string code = (snippet ? block.Prelude + " " : "") + block.Code;
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        SyntaxTree[] trees =
        [
            CSharpSyntaxTree.ParseText(usings, options, path: "usings.cs"),
            CSharpSyntaxTree.ParseText(code, options, path: block.File),
        ];
        return CSharpCompilation.Create("DocBlock" + block.Line, trees, References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static IEnumerable<string> PublicNamespaces(string assemblyName) =>
        Assembly.Load(assemblyName).GetExportedTypes()
            .Select(t => t.Namespace)
            .OfType<string>();

    /// <summary>The runtime's assemblies, then every other assembly beside the tests (the libraries and their
    /// dependencies, e.g. Microsoft.Extensions.Hosting).</summary>
    private static List<MetadataReference> LoadReferences()
    {
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var names = new HashSet<string>(platform.Select(Path.GetFileName)!, StringComparer.OrdinalIgnoreCase);
        IEnumerable<string> beside = Directory.GetFiles(AppContext.BaseDirectory, "*.dll")
            .Where(f => !names.Contains(Path.GetFileName(f)));
        return [.. platform.Concat(beside)
            .Where(f => !Path.GetFileName(f).StartsWith("Rpc25519.Docs.Tests", StringComparison.Ordinal))
            .Select(f => (MetadataReference)MetadataReference.CreateFromFile(f))];
    }
}
