using System.Text.RegularExpressions;

namespace Rpc25519.Docs.Tests;

/// <summary>
/// Finds the C# blocks of README.md and docs/*.md. The convention (docs/api-conventions.md, "Code in the docs"):
/// <list type="bullet">
/// <item><c>```csharp</c>: a complete program (top-level statements, then types), compiled as it stands with the
/// implicit usings of <c>dotnet new console</c>.</item>
/// <item><c>```csharp snippet</c>: statements (then types) that use the libraries; compiled with every namespace of
/// the libraries imported, after the statements of an HTML comment <c>&lt;!-- prelude: … --&gt;</c> on the line
/// before the fence, which declares what the snippet takes as given (<c>string certs = "";</c>).</item>
/// <item><c>```csharp sketch</c>: a shape with elisions (<c>...</c>); not compiled.</item>
/// </list>
/// </summary>
public static partial class DocBlocks
{
    public static readonly string[] Kinds = ["program", "snippet", "sketch"];

    /// <summary>The repository root: the nearest folder above the tests that holds Rpc25519.slnx.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static IReadOnlyList<DocBlock> All { get; } = ReadAll();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rpc25519.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Rpc25519.slnx above {AppContext.BaseDirectory}: run the tests from " +
            "the repository's build output.");
    }

    private static List<DocBlock> ReadAll()
    {
        IEnumerable<string> files = Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md")
            .Append(Path.Combine(RepositoryRoot, "README.md"))
            .Order(StringComparer.Ordinal);
        return [.. files.SelectMany(f => Read(Path.GetRelativePath(RepositoryRoot, f), File.ReadAllLines(f)))];
    }

    /// <summary>The C# blocks of one file; an unknown kind after <c>csharp</c> is kept as written, for the test that
    /// rejects it.</summary>
    public static IEnumerable<DocBlock> Read(string file, string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            Match open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }
            string kind = open.Groups["kind"].Value.Trim();
            kind = kind.Length == 0 ? "program" : kind;
            Match prelude = i > 0 ? Prelude().Match(lines[i - 1]) : Match.Empty;
            int start = i + 1;
            int end = start;
            while (end < lines.Length && !lines[end].StartsWith("```", StringComparison.Ordinal))
            {
                end++;
            }
            if (end == lines.Length)
            {
                throw new InvalidDataException($"{file}:{i + 1}: the C# block is never closed.");
            }
            yield return new DocBlock(file, i + 1, kind, string.Join('\n', lines[start..end]),
                prelude.Success ? prelude.Groups["code"].Value : "");
            i = end;
        }
    }

    [GeneratedRegex(@"^```csharp(?<kind>.*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^<!-- prelude: (?<code>.*) -->$")]
    private static partial Regex Prelude();
}
