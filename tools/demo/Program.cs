// The README's first command: a server and a client in one process on loopback, showing the Message API at work.
using System.Diagnostics;
using System.Net;
using System.Text;
using Rpc25519;
using Rpc25519.Messages;

var serverConfig = new RpcConfig { ServerAddr = "127.0.0.1:0", TcpOnlyNoTls = true };
await using var server = new RpcServer(serverConfig);

server.Register2Func("greet", (request, reply, _) =>
{
    reply.JobSerz = Encoding.UTF8.GetBytes($"hello, {Encoding.UTF8.GetString(request.JobSerz)}");
    return ValueTask.CompletedTask;
});
var notes = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
server.Register1Func("note", (request, _) =>
{
    notes.TrySetResult(Encoding.UTF8.GetString(request.JobSerz));
    return ValueTask.CompletedTask;
});
var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
server.Register2Func("slow", async (_, _, ct) =>
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
});
server.Register2Func("echo", (request, reply, _) =>
{
    reply.JobSerz = request.JobSerz;
    return ValueTask.CompletedTask;
});

var bound = (IPEndPoint)await server.StartAsync();
Console.WriteLine($"server listening on {server.LocalAddress} (plain TCP on loopback)");

await using RpcClient client = await RpcClient.ConnectAsync(
    new RpcConfig { ClientDialToHostPort = $"127.0.0.1:{bound.Port}", TcpOnlyNoTls = true });
Console.WriteLine($"client connected from {client.LocalAddress}");

Message reply = await client.SendAndGetReplyAsync(Request("greet", "world"));
Console.WriteLine($"two-way:      greet(\"world\") -> \"{Encoding.UTF8.GetString(reply.JobSerz)}\"");

await client.OneWaySendAsync(Request("note", "a one-way note"));
Console.WriteLine($"one-way:      server got \"{await notes.Task.WaitAsync(TimeSpan.FromSeconds(5))}\"");

await server.SendMessageAsync(client.LocalAddress, Request("news", "pushed by the server"));
Message pushed = await client.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
Console.WriteLine($"server push:  client got \"{Encoding.UTF8.GetString(pushed.JobSerz)}\"");

using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
{
    try
    {
        await client.SendAndGetReplyAsync(Request("slow", ""), cts.Token);
    }
    catch (OperationCanceledException)
    {
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Console.WriteLine("cancellation: caller cancelled after 100 ms; the server's handler saw its token fire");
    }
}

Message missing = await client.SendAndGetReplyAsync(Request("no-such-service", ""));
Console.WriteLine($"error:        {missing.Hdr.Typ}: {missing.Hdr.Subject}");

const int calls = 20_000;
byte[] payload = new byte[64];
var watch = Stopwatch.StartNew();
for (int i = 0; i < calls && watch.Elapsed < TimeSpan.FromSeconds(5); i++)
{
    await client.SendAndGetReplyAsync(new Message { JobSerz = payload, Hdr = { ServiceName = "echo" } });
}
Console.WriteLine($"throughput:   {calls / watch.Elapsed.TotalSeconds:N0} sequential 64-byte echo calls/s");

var inFlight = Enumerable.Range(0, 64).Select(async _ =>
{
    for (int i = 0; i < calls / 64; i++)
    {
        await client.SendAndGetReplyAsync(new Message { JobSerz = payload, Hdr = { ServiceName = "echo" } });
    }
});
watch.Restart();
await Task.WhenAll(inFlight);
Console.WriteLine($"              {calls / watch.Elapsed.TotalSeconds:N0} calls/s with 64 callers on one connection");
Console.WriteLine("demo finished");

static Message Request(string service, string text) =>
    new() { JobSerz = Encoding.UTF8.GetBytes(text), Hdr = { ServiceName = service } };
