namespace Rpc25519.Docs.Tests;

/// <summary>Issue 17 item 6: the C# blocks of README.md and docs/*.md compile against the libraries as built, so the
/// docs cannot drift from the API (blocks marked <c>sketch</c> excepted; see <see cref="DocBlocks"/>).</summary>
public sealed class DocCodeTests
{
    public static TheoryData<string> CompiledBlocks()
    {
        var data = new TheoryData<string>();
        foreach (DocBlock block in DocBlocks.All.Where(b => b.Kind != "sketch"))
        {
            data.Add(block.ToString());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CompiledBlocks))]
    public void The_block_compiles(string where)
    {
        DocBlock block = DocBlocks.All.Single(b => b.ToString() == where);

        List<string> errors = DocCompiler.Errors(block);

        Assert.True(errors.Count == 0, $"{where} ({block.Kind}) does not compile:\n{string.Join('\n', errors)}");
    }

    [Fact]
    public void Every_block_has_a_known_kind_and_most_are_compiled()
    {
        Assert.All(DocBlocks.All, b => Assert.True(DocBlocks.Kinds.Contains(b.Kind),
            $"{b}: 'csharp {b.Kind}' is not a kind; use csharp, csharp snippet or csharp sketch."));
        Assert.Contains(DocBlocks.All, b => b.File == Path.Combine("docs", "getting-started.md") && b.Kind == "program");
        Assert.True(DocBlocks.All.Count(b => b.Kind != "sketch") >= 10, "the docs' C# blocks are found and compiled");
    }

    [Fact]
    public void A_block_that_uses_a_missing_api_fails_with_its_line_in_the_file()
    {
        var block = new DocBlock("docs/x.md", 40, "snippet", "var s = new RpcServer(new RpcOptions());\ns.NoSuchMethod();",
            "");

        List<string> errors = DocCompiler.Errors(block);

        Assert.Contains(errors, e => e.StartsWith("docs/x.md:42: CS1061", StringComparison.Ordinal));
    }

    [Fact]
    public void A_prelude_declares_what_a_snippet_takes_as_given()
    {
        string[] lines =
        [
            "text", "<!-- prelude: string certs = \"/tmp\"; -->", "```csharp snippet",
            "var options = new RpcOptions { Tls = { CertPath = certs } };", "```",
        ];
        DocBlock block = DocBlocks.Read("docs/y.md", lines).Single();

        Assert.Equal(("snippet", "string certs = \"/tmp\";", 3), (block.Kind, block.Prelude, block.Line));
        Assert.Empty(DocCompiler.Errors(block));
        Assert.NotEmpty(DocCompiler.Errors(block with { Prelude = "" }));
    }
}
