using Rpc25519.JSync.Safety;
using Rpc25519.JSync.Tests.Support;

namespace Rpc25519.JSync.Tests.Safety;

public class SafePathTests
{
    [Theory]
    [InlineData("..")]
    [InlineData("../x")]
    [InlineData("a/../../b")]
    [InlineData("a/..")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a/.")]
    [InlineData("a/")]
    [InlineData("a\0b")]
    public void Non_plain_paths_are_refused(string path)
    {
        var ex = Assert.Throws<PathEscapeException>(() => SafePath.Validate(path));
        Assert.Equal(path, ex.RefusedPath);
        Assert.Contains("relative", ex.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("a/b/c.txt")]
    [InlineData("..hidden")]
    [InlineData("a/...")]
    public void Plain_paths_are_accepted(string path) => SafePath.Validate(path);

    [Fact]
    public void A_symlinked_parent_is_refused_even_when_it_points_inside()
    {
        using var temp = new TempDir();
        string root = temp.Combine("root");
        Directory.CreateDirectory(Path.Join(root, "inside"));
        Directory.CreateSymbolicLink(Path.Join(root, "escape"), "/tmp");
        Directory.CreateSymbolicLink(Path.Join(root, "loop"), "inside");
        Assert.Contains("symlink", Assert.Throws<PathEscapeException>(() => SafePath.Resolve(root, "escape/x")).Message);
        Assert.Throws<PathEscapeException>(() => SafePath.Resolve(root, "loop/x"));
        Assert.Equal(Path.Join(root, "inside/x"), SafePath.Resolve(root, "inside/x"));
        Assert.Equal(Path.Join(root, "escape"), SafePath.Resolve(root, "escape")); // the link itself, as a link
    }

    [Fact]
    public void A_dangling_symlinked_parent_is_refused()
    {
        using var temp = new TempDir();
        Directory.CreateSymbolicLink(temp.Combine("gone"), "/nonexistent/place");
        Assert.Throws<PathEscapeException>(() => SafePath.Resolve(temp.Path, "gone/x"));
    }
}
