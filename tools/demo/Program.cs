// The README's first command: makes a CA and Ed25519 identities in a temporary folder, then runs a server and a
// client in one process on loopback over mutually authenticated TLS 1.3, showing the Message API at work.
using System.Diagnostics;
using System.Net;
using System.Text;
using Rpc25519;
using Rpc25519.Messages;
using Rpc25519.Security;

string workDir = Directory.CreateTempSubdirectory("rpc25519-demo-").FullName;
string certs = Path.Combine(workDir, "certs");
string keep = Path.Combine(workDir, "my-keep-private-dir");
SelfCertificates.CreateCertificateAuthority(keep, passphrase: null);
SelfCertificates.CreateKeyPair("node", "server@example.org", certs, keep, passphrase: null, caPassphrase: _ => "");
SelfCertificates.CreateKeyPair("client", "client@example.org", certs, keep, passphrase: null, caPassphrase: _ => "");
Console.WriteLine($"made a CA and Ed25519 key pairs for server and client in {workDir}");

var serverConfig = new RpcOptions { ListenAddress = "127.0.0.1:0", Tls = { CertPath = certs } };
await using var server = new RpcServer(serverConfig);

server.RegisterCall("greet", (request, _) =>
{
    var reply = new Message();
    reply.Payload = Encoding.UTF8.GetBytes($"hello, {Encoding.UTF8.GetString(request.Payload)}");
    return ValueTask.FromResult(reply);
});
var notes = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
server.RegisterOneWay("note", (request, _) =>
{
    notes.TrySetResult(Encoding.UTF8.GetString(request.Payload));
    return ValueTask.CompletedTask;
});
var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
server.RegisterCall("slow", async (_, ct) =>
{
    try
    {
        await Task.Delay(Timeout.Infinite, ct);
    }
    catch (OperationCanceledException)
    {
        cancelled.TrySetResult();
        throw;
    }
    return new Message();
});
server.RegisterCall("echo", (request, _) =>
{
    var reply = new Message();
    reply.Payload = request.Payload;
    return ValueTask.FromResult(reply);
});

var bound = (IPEndPoint)await server.StartAsync();
Console.WriteLine($"server listening on {server.LocalAddress} (TLS 1.3, Ed25519 certificates, ChaCha20-Poly1305)");

await using RpcClient client = await RpcClient.ConnectAsync(
    new RpcOptions { ServerAddress = $"127.0.0.1:{bound.Port}", Tls = { CertPath = certs } });
Console.WriteLine($"client connected from {client.LocalAddress}; both sides verified the other's certificate");

Message reply = await client.CallAsync(Request("greet", "world"));
Console.WriteLine($"two-way:      greet(\"world\") -> \"{Encoding.UTF8.GetString(reply.Payload)}\"");

await client.SendAsync(Request("note", "a one-way note"));
Console.WriteLine($"one-way:      server got \"{await notes.Task.WaitAsync(TimeSpan.FromSeconds(5))}\"");

await server.PushAsync(client.LocalAddress, Request("news", "pushed by the server"));
Message pushed = await client.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
Console.WriteLine($"server push:  client got \"{Encoding.UTF8.GetString(pushed.Payload)}\"");

using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
{
    try
    {
        await client.CallAsync(Request("slow", ""), cts.Token);
    }
    catch (OperationCanceledException)
    {
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Console.WriteLine("cancellation: caller cancelled after 100 ms; the server's handler saw its token fire");
    }
}

try
{
    await client.CallAsync(Request("no-such-service", ""));
}
catch (CallRejectedException rejected)
{
    Console.WriteLine($"error:        {nameof(CallRejectedException)}: {rejected.Message}");
}

const int calls = 20_000;
byte[] payload = new byte[64];
var watch = Stopwatch.StartNew();
for (int i = 0; i < calls && watch.Elapsed < TimeSpan.FromSeconds(5); i++)
{
    await client.CallAsync(new Message { Payload = payload, Header = { ServiceName = "echo" } });
}
Console.WriteLine($"throughput:   {calls / watch.Elapsed.TotalSeconds:N0} sequential 64-byte echo calls/s");

var inFlight = Enumerable.Range(0, 64).Select(async _ =>
{
    for (int i = 0; i < calls / 64; i++)
    {
        await client.CallAsync(new Message { Payload = payload, Header = { ServiceName = "echo" } });
    }
});
watch.Restart();
await Task.WhenAll(inFlight);
Console.WriteLine($"              {calls / watch.Elapsed.TotalSeconds:N0} calls/s with 64 callers on one connection");
await client.DisposeAsync();
await server.DisposeAsync();
Directory.Delete(workDir, recursive: true);
Console.WriteLine("demo finished (temporary keys deleted)");

static Message Request(string service, string text) =>
    new() { Payload = Encoding.UTF8.GetBytes(text), Header = { ServiceName = service } };
