namespace Rpc25519.JSync.Tests.Support;

/// <summary>A fresh directory under the temp folder, removed on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("jsync-test-").FullName;

    public string Path { get; }

    public string Combine(string relative) => System.IO.Path.Join(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
