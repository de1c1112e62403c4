using Rpc25519.Tests.Security;
using static Rpc25519.Tests.Integration.TlsTestHost;

namespace Rpc25519.Tests.Integration;

[Collection("Security")]
public sealed class TlsCloseTests(CertFixture certs) : IClassFixture<CertFixture>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DataWrittenBeforeDispose_StillArrives(bool withPsk)
    {
        RpcOptions config = Config(certs.CertsDir);
        if (withPsk)
        {
            config.PreSharedKey.Path = Path.Combine(certs.NewDir("close-psk"), "psk");
            Rpc25519.Security.SelfCertificates.GenerateSymmetricKey(config.PreSharedKey.Path);
        }
        Rpc25519.Transport.ITransport transport = new Rpc25519.Transport.TlsTransport(config.Tls);
        if (withPsk)
        {
            transport = new Rpc25519.Transport.PskTransport(config.PreSharedKey, transport);
        }
        await using var listener = await transport.ListenAsync("127.0.0.1:0");
        var accept = listener.AcceptAsync().AsTask();
        var client = await transport.DialAsync(listener.LocalAddress[6..]);
        await using var server = (await accept)!;
        byte[] data = new byte[2_000_000];
        Random.Shared.NextBytes(data);
        await client.Transport.Output.WriteAsync(data);
        await client.Transport.Output.CompleteAsync();
        client.Abort(new RpcConnectionClosedException("closed locally"));
        await client.DisposeAsync();
        var received = new List<byte>();
        while (true)
        {
            var read = await server.Transport.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            foreach (ReadOnlyMemory<byte> segment in read.Buffer)
            {
                received.AddRange(segment.ToArray());
            }
            server.Transport.Input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }
        Assert.Equal(data.Length, received.Count);
        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()));
    }
}
