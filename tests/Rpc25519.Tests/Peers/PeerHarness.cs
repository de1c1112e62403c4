using System.Text;
using System.Threading.Channels;
using Rpc25519.Peers;
using Rpc25519.Tests.Integration;

namespace Rpc25519.Tests.Peers;

/// <summary>A server and a client on loopback, both with the same peer services registered (the "git model"):
/// "echo" answers every fragment, "sink" hands each arriving circuit to the test.</summary>
internal sealed class PeerHarness : IAsyncDisposable
{
    public const string Echo = "echo";
    public const string Sink = "sink";

    private PeerHarness(RpcServer server, RpcClient client)
    {
        Server = server;
        Client = client;
    }

    public RpcServer Server { get; }

    public RpcClient Client { get; }

    /// <summary>Circuits that arrived at any "sink" peer on the server side.</summary>
    public Channel<Circuit> ServerSinkCircuits { get; } = Channel.CreateUnbounded<Circuit>();

    /// <summary>Circuits that arrived at any "sink" peer on the client side.</summary>
    public Channel<Circuit> ClientSinkCircuits { get; } = Channel.CreateUnbounded<Circuit>();

    public static async Task<PeerHarness> StartAsync(Action<RpcOptions>? tweak = null)
    {
        var (started, port) = await Loopback.StartServerAsync(_ => { }, tweak);
        RpcClient client = await Loopback.ConnectAsync(port, tweak);
        // The client is connected once its dial completes; the server knows it once its accept loop has run.
        await Eventually(() => started.Connections.Contains(client.LocalAddress), "the server to register the client");
        var harness = new PeerHarness(started, client);
        harness.Register(started.PeerApi, harness.ServerSinkCircuits.Writer);
        harness.Register(client.PeerApi, harness.ClientSinkCircuits.Writer);
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>Starts a client peer of <paramref name="localService"/> and opens a circuit from it to a new server
    /// peer of <paramref name="remoteService"/>.</summary>
    public async Task<(LocalPeer Local, Circuit Circuit)> OpenFromClientAsync(string localService, string name,
        string remoteService, Fragment? first = null)
    {
        LocalPeer local = await Client.PeerApi.StartLocalPeerAsync(localService);
        Circuit circuit = await Client.PeerApi.OpenCircuitToNewPeerAsync(local, name, remoteService,
            Client.RemoteAddress, first);
        return (local, circuit);
    }

    public static Fragment Frag(string text, string subject = "") =>
        new() { Payload = Encoding.UTF8.GetBytes(text), Subject = subject };

    public static string Text(Fragment fragment) => Encoding.UTF8.GetString(fragment.Payload);

    public static async Task<T> Within<T>(Task<T> task) => await task.WaitAsync(Loopback.Patience);

    public static async Task<Fragment> ReadAsync(ChannelReader<Fragment> reader) =>
        await reader.ReadAsync().AsTask().WaitAsync(Loopback.Patience);

    /// <summary>Waits until <paramref name="condition"/> holds (polling), failing after the patience bound.</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Loopback.Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for: " + what);
            await Task.Delay(10);
        }
    }

    private void Register(PeerApi api, ChannelWriter<Circuit> sink)
    {
        api.RegisterPeerService(Echo, EchoServiceAsync);
        api.RegisterPeerService(Sink, async (peer, circuits, ct) =>
        {
            await foreach (Circuit circuit in circuits.ReadAllAsync(ct))
            {
                await sink.WriteAsync(circuit, ct);
            }
        });
    }

    /// <summary>The echo service: every fragment comes back with its payload, part and subject ("re:" prefixed);
    /// fragments on Errors come back as errors.</summary>
    public static async Task EchoServiceAsync(LocalPeer peer, ChannelReader<Circuit> circuits, CancellationToken ct)
    {
        var running = new List<Task>();
        await foreach (Circuit circuit in circuits.ReadAllAsync(ct))
        {
            running.Add(EchoCircuitAsync(circuit));
        }
        await Task.WhenAll(running);
    }

    private static async Task EchoCircuitAsync(Circuit circuit)
    {
        try
        {
            Task errors = EchoErrorsAsync(circuit);
            await foreach (Fragment fragment in circuit.Reads.ReadAllAsync(circuit.Closed))
            {
                await circuit.SendAsync(new Fragment
                {
                    Payload = fragment.Payload, Part = fragment.Part,
                    Subject = "re:" + fragment.Subject,
                    Operation = fragment.Operation,
                });
            }
            await errors;
        }
        catch (Exception e) when (e is OperationCanceledException or CircuitClosedException)
        {
            // The circuit closed: the echo ends.
        }
    }

    private static async Task EchoErrorsAsync(Circuit circuit)
    {
        await foreach (Fragment fragment in circuit.Errors.ReadAllAsync(circuit.Closed))
        {
            await circuit.SendAsync(new Fragment { Error = "re:" + fragment.Error });
        }
    }
}
