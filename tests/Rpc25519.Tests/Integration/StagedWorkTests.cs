using Rpc25519.Messages;

namespace Rpc25519.Tests.Integration;

/// <summary>The reader loop runs a lone reply's caller and a lone request's handler on its own thread once it waits for
/// bytes again (one thread hop less per call): code that blocks that thread must still never hold up the
/// connection.</summary>
public sealed class StagedWorkTests
{
    [Fact]
    public async Task A_caller_that_blocks_on_another_call_right_after_a_reply_still_gets_that_calls_reply()
    {
        var (server, port) = await Loopback.StartServerAsync(Loopback.Echo);
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        bool answered = await Task.Run(async () =>
        {
            for (int i = 0; i < 20; i++)
            {
                await client.CallAsync(Loopback.Request("echo", "first"));
                // Here this code may run on the client's reader thread: blocking it must not stop the next reply.
                if (!client.CallAsync(Loopback.Request("echo", "second")).Wait(Loopback.Patience))
                {
                    return false;
                }
            }
            return true;
        });

        Assert.True(answered, "a blocked caller thread held up the reply it waited for");
    }

    [Fact]
    public async Task A_handler_that_blocks_its_thread_does_not_hold_up_the_next_call_on_its_connection()
    {
        using var release = new ManualResetEventSlim();
        var blocking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (server, port) = await Loopback.StartServerAsync(s =>
        {
            Loopback.Echo(s);
            s.RegisterCall("block", (_, _) =>
            {
                blocking.TrySetResult();
                release.Wait(Loopback.Patience);
                return ValueTask.FromResult(new Message());
            });
        });
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        Task<Message> blocked = client.CallAsync(Loopback.Request("block"));
        await blocking.Task.WaitAsync(Loopback.Patience);
        Message echoed = await client.CallAsync(Loopback.Request("echo", "meanwhile")).WaitAsync(Loopback.Patience);
        release.Set();

        Assert.Equal("meanwhile", echoed.Text());
        await blocked.WaitAsync(Loopback.Patience);
    }

    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public async Task Handlers_do_not_see_what_flowed_into_the_code_that_started_the_server_or_connected()
    {
        Ambient.Value = "from the starter";
        var (server, port) = await Loopback.StartServerAsync(s => s.RegisterCall("ambient", (_, _) =>
            ValueTask.FromResult(new Message { Payload = System.Text.Encoding.UTF8.GetBytes(Ambient.Value ?? "none") })));
        await using var _ = server;
        await using RpcClient client = await Loopback.ConnectAsync(port);

        for (int i = 0; i < 5; i++)
        {
            Assert.Equal("none", (await client.CallAsync(Loopback.Request("ambient"))).Text());
        }
        Ambient.Value = null;
    }
}
