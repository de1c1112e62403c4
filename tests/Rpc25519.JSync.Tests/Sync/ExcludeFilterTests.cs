using Rpc25519.JSync.Sync;

namespace Rpc25519.JSync.Tests.Sync;

public class ExcludeFilterTests
{
    [Theory]
    [InlineData("*.o", "a/b/x.o", false, true)]
    [InlineData("*.o", "a/b/x.oo", false, false)]
    [InlineData(".git", "deep/.git", true, true)]
    [InlineData("build/", "build", true, true)]
    [InlineData("build/", "build", false, false)]
    [InlineData("/top", "top", false, true)]
    [InlineData("/top", "a/top", false, false)]
    [InlineData("src/*.tmp", "src/a.tmp", false, true)]
    [InlineData("src/*.tmp", "src/deeper/a.tmp", false, false)]
    [InlineData("src/**.tmp", "src/deeper/a.tmp", false, true)]
    [InlineData("file?.txt", "file1.txt", false, true)]
    [InlineData("a+b(c)", "a+b(c)", false, true)]
    public void Patterns_match_like_rsync(string pattern, string path, bool isDirectory, bool excluded) =>
        Assert.Equal(excluded, new ExcludeFilter([pattern]).IsExcluded(path, isDirectory));

    [Fact]
    public void The_root_is_never_excluded_and_empty_patterns_are_refused()
    {
        Assert.False(new ExcludeFilter(["**"]).IsExcluded("", true));
        Assert.Throws<ArgumentException>(() => new ExcludeFilter([" "]));
    }
}
