using Rpc25519.Messages;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Client;

/// <summary>Follower replies (<see cref="TubeClientOptions.FollowerReplies"/>): a lone write goes to the leader and
/// its reply is awaited on one follower too.</summary>
public sealed partial class TubeClient
{
    /// <summary>The connection to the follower asked for replies, or null.</summary>
    private RpcClient? follower;

    /// <summary>The member address <see cref="follower"/> talks to.</summary>
    private string? followerAddress;

    /// <summary>The member address of <see cref="current"/> (the leader, as far as the client knows), or null.</summary>
    private string? currentAddress;

    /// <summary>A connect to a follower is running.</summary>
    private bool followerConnecting;

    /// <summary>Which member to try next as the follower.</summary>
    private int followerCursor;

    /// <summary>No new follower connect before this time (after a failed one).</summary>
    private DateTimeOffset followerRetryAt;

    private long followerAnswersFirst;
    private long leaderAnswersFirst;

    /// <summary>For diagnostics: of the writes also awaited on a follower, how many the follower answered first, and
    /// how many the leader did.</summary>
    internal (long Follower, long Leader) FollowerReplyCounts =>
        (Interlocked.Read(ref followerAnswersFirst), Interlocked.Read(ref leaderAnswersFirst));

    /// <summary>Sends the command to the leader, marked so that the leader sends durable notices, and waits for the
    /// reply on a follower as well; the first reply wins. Without a follower connection yet, the leader alone (and a
    /// connect starts for the next write).</summary>
    private async Task<byte[]> SubmitWithFollowerAsync(byte[] command, long session, long serial,
        CancellationToken cancellationToken)
    {
        (RpcClient? side, string? sideAddress) = FollowerConnection();
        if (side is null)
        {
            return await SubmitAsync(command, cancellationToken);
        }

        Task<TubeResponse> leader = CallAsync(
            new TubeRequest
            {
                Kind = TubeRequestKind.Submit, Command = command, FollowerWaits = true, WaitingAt = sideAddress,
            },
            cancellationToken);
        Task<byte[]?> fromFollower = AwaitFollowerReplyAsync(side, session, serial, cancellationToken);
        if (await Task.WhenAny(leader, fromFollower) == fromFollower && await fromFollower is { } reply)
        {
            Interlocked.Increment(ref followerAnswersFirst);
            _ = IgnoreLateAnswerAsync(leader);
            return TubeReply.FromBytes(reply).ThrowIfError();
        }

        Interlocked.Increment(ref leaderAnswersFirst);
        return ReplyOf(await leader);
    }

    /// <summary>The follower's reply to (<paramref name="session"/>, <paramref name="serial"/>), or null when it has
    /// none to give (it could not apply the command in time, or the connection failed; the leader's answer
    /// decides).</summary>
    private async Task<byte[]?> AwaitFollowerReplyAsync(RpcClient side, long session, long serial,
        CancellationToken cancellationToken)
    {
        var request = new TubeRequest
        {
            Kind = TubeRequestKind.AwaitReply, SessionId = session, Serial = serial,
            WaitMs = (long)options.AttemptTimeout.TotalMilliseconds,
        };
        try
        {
            Message answer = await side.CallAsync(RequestMessage(request), cancellationToken);
            TubeResponse response = TubeResponse.FromBytes(answer.Payload);
            return response.Error == TubeErrorCode.None ? response.Reply : null;
        }
        catch (Exception e) when (e is RpcException or IOException or ObjectDisposedException)
        {
            // Failed, or closed under this wait (a newer follower connection replaced it, or the client is being
            // disposed): the leader's answer decides.
            await DropFollowerAsync(side);
            return null;
        }
        catch (OperationCanceledException)
        {
            return null; // the caller gave up; the leader's call says so
        }
    }

    /// <summary>The leader's answer to a write a follower already answered: the same reply, or a failure that no
    /// longer matters (the write was applied: the follower had its reply).</summary>
    private static async Task IgnoreLateAnswerAsync(Task<TubeResponse> leader)
    {
        try
        {
            await leader;
        }
        catch (Exception e) when (e is TubeException or OperationCanceledException or ObjectDisposedException)
        {
            // Answered already.
        }
    }

    /// <summary>A live connection to a member other than the leader's, or null; starts a connect when there is none
    /// (at most one at a time, not sooner than the attempt timeout after a failed one).</summary>
    private (RpcClient? Connection, string? Address) FollowerConnection()
    {
        string? target = null;
        lock (gate)
        {
            if (currentAddress is null || options.Members.Count < 2)
            {
                return (null, null);
            }

            if (follower is { IsConnected: true } && followerAddress != currentAddress)
            {
                return (follower, followerAddress);
            }

            if (!followerConnecting && time.GetUtcNow() >= followerRetryAt)
            {
                followerConnecting = true;
                for (int i = 0; i < options.Members.Count && target is null; i++)
                {
                    string member = options.Members[followerCursor++ % options.Members.Count];
                    target = member == currentAddress ? null : member;
                }
            }
        }

        if (target is not null)
        {
            _ = ConnectFollowerAsync(target);
        }

        return (null, null);
    }

    private async Task ConnectFollowerAsync(string address)
    {
        RpcClient? connected = null;
        try
        {
            connected = await ConnectToAsync(address, closing.Token);
        }
        catch (Exception e) when (e is RpcException or IOException or OperationCanceledException)
        {
            // Unreachable now; lone writes go to the leader alone until the next try.
        }

        RpcClient? stale;
        lock (gate)
        {
            followerConnecting = false;
            if (connected is null)
            {
                followerRetryAt = time.GetUtcNow() + options.AttemptTimeout;
                return;
            }

            stale = follower;
            follower = connected;
            followerAddress = address;
            if (Volatile.Read(ref disposed) != 0)
            {
                stale = connected;
                follower = null;
            }
        }

        if (stale is not null)
        {
            await stale.DisposeAsync();
        }
    }

    private async Task DropFollowerAsync(RpcClient side)
    {
        lock (gate)
        {
            if (!ReferenceEquals(follower, side))
            {
                return;
            }

            follower = null;
            followerRetryAt = time.GetUtcNow() + options.AttemptTimeout;
        }

        await side.DisposeAsync();
    }
}
