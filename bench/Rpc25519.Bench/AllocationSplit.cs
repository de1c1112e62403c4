using System.Diagnostics;
using System.Globalization;
using System.Net;
using Rpc25519.Messages;

namespace Rpc25519.Bench;

/// <summary>
/// Allocations per call on each side separately: the server runs in a child process (this program with
/// <c>--serve-rpc</c>) that reports its own allocation counter on request.
/// </summary>
internal static class AllocationSplit
{
    public const string ServeFlag = "--serve-rpc";

    /// <summary>Child side: serve echo on loopback, print the port, answer "alloc" with the allocation counter.</summary>
    public static async Task ServeAsync()
    {
        await using var server = new RpcServer(new RpcOptions { ListenAddress = "127.0.0.1:0", Transport = TransportKind.Tcp });
        server.RegisterCall("echo", static (request, _) =>
        {
            var reply = new Message();
            reply.Payload = request.Payload;
            return ValueTask.FromResult(reply);
        });
        var endPoint = (IPEndPoint)await server.StartAsync();
        Console.WriteLine(endPoint.Port.ToString(CultureInfo.InvariantCulture));
        while (Console.ReadLine() is { } line && line != "quit")
        {
            Console.WriteLine(GC.GetTotalAllocatedBytes(precise: true).ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Parent side: returns (client bytes per call, server bytes per call) for sequential 64 B echoes.</summary>
    public static async Task<(double Client, double Server)> MeasureAsync(int calls)
    {
        using Process child = ChildServer.Start(ServeFlag);
        try
        {
            int port = await ChildServer.ReadPortAsync(child);
            await using RpcClient client = await RpcClient.ConnectAsync(
                new RpcOptions { ServerAddress = $"127.0.0.1:{port}", Transport = TransportKind.Tcp });
            byte[] payload = new byte[64];
            await EchoAsync(client, payload, calls / 4);
            long serverBefore = await ServerAllocatedAsync(child);
            long clientBefore = GC.GetTotalAllocatedBytes(precise: true);
            await EchoAsync(client, payload, calls);
            long clientAfter = GC.GetTotalAllocatedBytes(precise: true);
            long serverAfter = await ServerAllocatedAsync(child);
            return ((double)(clientAfter - clientBefore) / calls, (double)(serverAfter - serverBefore) / calls);
        }
        finally
        {
            await child.StandardInput.WriteLineAsync("quit");
            await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static async Task EchoAsync(RpcClient client, byte[] payload, int calls)
    {
        for (int i = 0; i < calls; i++)
        {
            var request = new Message { Payload = payload };
            request.Header.ServiceName = "echo";
            await client.CallAsync(request);
        }
    }

    private static async Task<long> ServerAllocatedAsync(Process child)
    {
        await child.StandardInput.WriteLineAsync("alloc");
        return long.Parse((await child.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
    }
}
