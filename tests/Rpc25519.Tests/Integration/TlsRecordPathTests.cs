using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

[Collection("Security")]
public sealed class TlsRecordPathTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BothRecordPaths_CarryDataBothWays_AndCloseCleanly(bool nativeAead)
    {
        RpcOptions config = Config(certs.CertsDir);
        var transport = new Rpc25519.Transport.TlsTransport(config.Tls, inner: null, environment: null, nativeAead);
        await using var listener = await transport.ListenAsync("127.0.0.1:0");
        var accept = listener.AcceptAsync().AsTask();
        await using var client = await transport.DialAsync(listener.LocalAddress[6..]);
        await using var server = (await accept)!;
        byte[] data = new byte[100_000];
        Random.Shared.NextBytes(data);
        await client.Transport.Output.WriteAsync(data);
        Assert.Equal(data, await ReadAsync(server.Transport.Input, data.Length));
        await server.Transport.Output.WriteAsync("bye"u8.ToArray());
        Assert.Equal("bye"u8.ToArray(), await ReadAsync(client.Transport.Input, 3));
        await client.Transport.Output.CompleteAsync(); // close_notify: the server sees the end of its input
        Assert.Empty(await ReadAsync(server.Transport.Input, int.MaxValue));
    }

    /// <summary>Reads <paramref name="count"/> bytes, or up to the end of the stream.</summary>
    private static async Task<byte[]> ReadAsync(System.IO.Pipelines.PipeReader input, int count)
    {
        var all = new List<byte>();
        while (all.Count < count)
        {
            var read = await input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                all.AddRange(segment.ToArray());
            }
            input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
        return [.. all];
    }
}
