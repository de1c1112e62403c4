namespace Rpc25519.Docs.Tests;

/// <summary>One fenced C# block of a Markdown file.</summary>
/// <param name="File">The file, relative to the repository root.</param>
/// <param name="Line">The line of the opening fence (1-based).</param>
/// <param name="Kind">program, snippet or sketch (see <see cref="DocBlocks"/>).</param>
/// <param name="Code">The block's text.</param>
/// <param name="Prelude">For a snippet, the statements of its <c>&lt;!-- prelude: … --&gt;</c> comment.</param>
public sealed record DocBlock(string File, int Line, string Kind, string Code, string Prelude)
{
    public override string ToString() => $"{File}:{Line}";
}
