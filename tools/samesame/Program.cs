// samesame: QUIC port sharing. One process is both a server and a client on ONE UDP port: start two of them pointing
// at each other (samesame -port 7001 -peer 7002 & samesame -port 7002 -peer 7001); each calls the other and shows that
// its client's source address is its own server's address.
using System.CommandLine;
using System.Text;
using Rpc25519;
using Rpc25519.Messages;
using Rpc25519.Security;
using Rpc25519.Transport.Quic;

var port = new Option<int>("-port") { Description = "UDP port this node serves and calls from", Required = true };
var peer = new Option<int>("-peer") { Description = "UDP port of the other node (on 127.0.0.1)", Required = true };
var calls = new Option<int>("-n") { Description = "calls to make", DefaultValueFactory = _ => 3 };
var certs = new Option<string?>("-certs") { Description = "certificate directory (default: selfy's certs dir)" };
var linger = new Option<double>("-linger")
{
    Description = "seconds to keep serving after the calls (so the peer can finish)", DefaultValueFactory = _ => 3,
};
var root = new RootCommand("samesame: a QUIC server and client sharing one UDP port") { port, peer, calls, certs, linger };
ParseResult parsed = root.Parse(args);
if (parsed.Errors.Count > 0 || args.Contains("-h") || args.Contains("--help"))
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"samesame: error: {error.Message}");
    }
    return parsed.Errors.Count > 0 ? 1 : parsed.Invoke();
}
try
{
    // One options object for the server and the client: they share its QUIC transport and so its UDP socket.
    var options = new RpcOptions
    {
        ListenAddress = $"udp://127.0.0.1:{parsed.GetValue(port)}",
        ServerAddress = $"udp://127.0.0.1:{parsed.GetValue(peer)}",
        Tls = { CertPath = parsed.GetValue(certs) ?? "", PassphraseProvider = Passphrase.ConsolePrompt },
    }.UseQuic();
    await using var server = new RpcServer(options);
    server.RegisterCall("hello", (request, _) => ValueTask.FromResult(new Message
    {
        Payload = Encoding.UTF8.GetBytes($"hello back from {server.LocalAddress} to {Encoding.UTF8.GetString(request.Payload)}"),
    }));
    await server.StartAsync();
    Console.WriteLine($"samesame: serving on {server.LocalAddress}");
    RpcClient? client = null;
    var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
    while (client is null)
    {
        try
        {
            client = await RpcClient.ConnectAsync(options);
        }
        catch (RpcException) when (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200); // the peer may not be up yet
        }
    }
    await using (client)
    {
        Console.WriteLine($"samesame: client {client.LocalAddress} -> {client.RemoteAddress} " +
            $"(same port as our server: {client.LocalAddress == server.LocalAddress})");
        for (int i = 0; i < parsed.GetValue(calls); i++)
        {
            var request = new Message { Payload = Encoding.UTF8.GetBytes(client.LocalAddress) };
            request.Header.ServiceName = "hello";
            Message reply = await client.CallAsync(request);
            Console.WriteLine($"samesame: {Encoding.UTF8.GetString(reply.Payload)}");
        }
        await Task.Delay(TimeSpan.FromSeconds(parsed.GetValue(linger)));
    }
    return 0;
}
catch (Exception e) when (e is RpcException or ArgumentException)
{
    Console.Error.WriteLine($"samesame: error: {e.Message}");
    return 1;
}
