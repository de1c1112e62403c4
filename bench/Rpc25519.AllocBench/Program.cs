// Where the garbage of a plain call goes: runs 64 B echoes (client and server in this process, plain TCP on
// loopback) and prints the bytes allocated per call, both sides together, then a breakdown by type sampled from the
// runtime's allocation events (one sample per ~100 KB allocated, so run enough calls). An allocation count, not a
// timing: valid on a busy machine. Usage: dotnet run -c Release --project bench/Rpc25519.AllocBench -- [calls] [payload]
using System.Globalization;
using System.Net;
using Rpc25519;
using Rpc25519.AllocBench;
using Rpc25519.Messages;

int calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
int payloadBytes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
await using var server = new RpcServer(new RpcOptions { ListenAddress = "127.0.0.1:0", Transport = TransportKind.Tcp });
server.RegisterCall("echo", static (request, _) => ValueTask.FromResult(new Message { Payload = request.Payload }));
var endPoint = (IPEndPoint)await server.StartAsync();
await using RpcClient client = await RpcClient.ConnectAsync(
    new RpcOptions { ServerAddress = $"127.0.0.1:{endPoint.Port}", Transport = TransportKind.Tcp });
byte[] payload = new byte[payloadBytes];

// On the pool: the allocations of the caller's loop are the ones a server or service would see.
await Task.Run(() => EchoAsync(client, payload, Math.Max(2000, calls / 10)));
using var listener = new AllocationSampler();
long before = GC.GetTotalAllocatedBytes(precise: true);
await Task.Run(() => EchoAsync(client, payload, calls));
double perCall = (double)(GC.GetTotalAllocatedBytes(precise: true) - before) / calls;
listener.Dispose();

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{calls} echoes of {payloadBytes} B: {perCall:F0} B allocated per call, client and server together (the caller's request and the handler's reply included)"));
foreach ((string type, double bytes) in listener.BytesPerCallByType(perCall))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ~{bytes,6:F0} B  {type}"));
}

static async Task EchoAsync(RpcClient client, byte[] payload, int calls)
{
    for (int i = 0; i < calls; i++)
    {
        var request = new Message { Payload = payload };
        request.Header.ServiceName = "echo";
        Message reply = await client.CallAsync(request);
        if (reply.Payload.Length != payload.Length)
        {
            throw new InvalidOperationException($"The echo returned {reply.Payload.Length} bytes.");
        }
    }
}
