using Rpc25519.Messages;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.Client;

/// <summary>Connections, redirects and retries.</summary>
public sealed partial class TubeClient
{
    /// <summary>Sends one request, retrying on other members until it gets an answer that is not a redirect, a
    /// quorum failure or a member at its limits, or the deadline passes.</summary>
    private async Task<TubeResponse> CallAsync(TubeRequest request, CancellationToken cancellationToken,
        string? pinnedAddress = null)
    {
        ThrowIfUnusable(cancellationToken);
        byte[] payload = RequestPayload(request);
        using var deadline = new CancellationTokenSource(options.OperationTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        Exception? last = null;
        for (int attempt = 0; ; attempt++)
        {
            RpcClient? client = null;
            try
            {
                if (attempt > 0)
                {
                    await Task.Delay(options.RetryBackOff, time, linked.Token);
                    ThrowIfUnusable(linked.Token);
                }

                // A failed connect moves the shared cursor on once, inside ConnectNextAsync.
                client = pinnedAddress is null
                    ? await ConnectionAsync(linked.Token)
                    : await ConnectToAsync(pinnedAddress, linked.Token);
                (TubeResponse? response, last) = await TryOnceAsync(client, payload, linked.Token);
                if (response is not null)
                {
                    return response;
                }
            }
            catch (Exception e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                                      && e is OperationCanceledException or RpcException or IOException)
            {
                // The deadline passed, while waiting or while a connect (which has its own timeout) was failing.
                throw last as TubeException ?? new TubeUnavailableException(
                    $"No Tube member answered within {options.OperationTimeout.TotalSeconds:0.###} s.", last ?? e);
            }
            catch (Exception e) when (e is RpcException or IOException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                last = e;
                if (client is not null && pinnedAddress is null)
                {
                    await DropAsync(client, null);
                }
            }
            finally
            {
                if (pinnedAddress is not null && client is not null)
                {
                    await client.DisposeAsync();
                }
            }
        }
    }

    /// <summary>Refuses to start (or retry) a call once the client is disposed or the caller has cancelled, so
    /// that nothing more is sent.</summary>
    private void ThrowIfUnusable(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The request's bytes, refused at once when they cannot fit in one frame: the transport would refuse
    /// every attempt alike, so retrying until the deadline would only hide the cause.</summary>
    private byte[] RequestPayload(TubeRequest request)
    {
        byte[] payload = request.ToBytes();
        if (MessageCodec.ExceedsBodyLimit(RequestMessage(payload), options.Rpc.MaxFrameBytes, out long bytes))
        {
            throw new ValueTooLargeException(
                $"The request is {bytes} bytes, more than RpcOptions.MaxFrameBytes ({options.Rpc.MaxFrameBytes}), so " +
                "it was not sent; the cluster's own value limit (StateMachineOptions.MaxValueBytes, 1 MiB by default) " +
                "is lower still. Split the value over several keys.");
        }

        return payload;
    }

    /// <summary>One attempt on one connection: the answer to return, or null and the refusal to remember (the
    /// connection is then dropped and the next attempt goes to the leader named in the refusal, or to the next
    /// member).</summary>
    private async Task<(TubeResponse? Response, Exception? Refusal)> TryOnceAsync(RpcClient client,
        byte[] payload, CancellationToken token)
    {
        TubeResponse? response = await AttemptAsync(client, payload, token);
        if (response is null)
        {
            await DropAsync(client, null);
            return (null, new TubeUnavailableException($"{client.RemoteAddress} did not answer within " +
                $"{options.AttemptTimeout.TotalMilliseconds:0} ms.", null));
        }

        if (response.Error == TubeErrorCode.NotLeader)
        {
            await DropAsync(client, response.LeaderAddress);
            return (null, new NotLeaderException(response.Message ?? "not the leader", response.LeaderId,
                response.LeaderAddress));
        }

        if (response.Error == TubeErrorCode.NoQuorum)
        {
            await DropAsync(client, response.LeaderAddress);
            return (null, new NoQuorumException(response.Message ?? "no quorum"));
        }

        if (response.Error == TubeErrorCode.Unavailable)
        {
            // The member is at one of its limits (the watches it holds); another may have room.
            await DropAsync(client, null);
            return (null, new TubeUnavailableException(response.Message ?? "the member is at a limit", null));
        }

        return (response, null);
    }

    /// <summary>One call with the attempt timeout; null when it ran out.</summary>
    private async Task<TubeResponse?> AttemptAsync(RpcClient client, byte[] payload, CancellationToken token)
    {
        using var attempt = new CancellationTokenSource(options.AttemptTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, attempt.Token);
        try
        {
            Message reply = await client.CallAsync(RequestMessage(payload), linked.Token);
            return TubeResponse.FromBytes(reply.Payload);
        }
        catch (Exception e) when ((e is OperationCanceledException or RpcTimeoutException)
                                  && attempt.IsCancellationRequested && !token.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<RpcClient> ConnectionAsync(CancellationToken token)
    {
        Task<RpcClient> task;
        lock (gate)
        {
            if (current is { IsConnected: true })
            {
                return current;
            }

            connecting ??= ConnectNextAsync();
            task = connecting;
        }

        token.ThrowIfCancellationRequested();
        // The connect is shared and bounded by its own timeout (at most the attempt timeout); the caller stops
        // waiting for it at once when cancelled, and the connect goes on for the others.
        await WhenDoneOrCancelledAsync(task, token);
        try
        {
            return await task;
        }
        finally
        {
            // Cleared here, not inside ConnectNextAsync: a connect that fails synchronously would clear the field
            // before the faulted task is stored in it, and every later call would await that task again.
            lock (gate)
            {
                if (ReferenceEquals(connecting, task))
                {
                    connecting = null;
                }
            }
        }
    }

    /// <summary>Completes when <paramref name="task"/> does, or throws <see cref="OperationCanceledException"/> as
    /// soon as <paramref name="token"/> is cancelled (the task itself runs on).</summary>
    private static async Task WhenDoneOrCancelledAsync(Task task, CancellationToken token)
    {
        if (task.IsCompleted || !token.CanBeCanceled)
        {
            return;
        }

        var cancelled = new TaskCompletionSource();
        await using (token.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), cancelled))
        {
            await Task.WhenAny(task, cancelled.Task);
        }

        if (!task.IsCompleted)
        {
            token.ThrowIfCancellationRequested();
        }
    }

    private async Task<RpcClient> ConnectNextAsync()
    {
        string address;
        lock (gate)
        {
            address = preferred ?? options.Members[cursor % options.Members.Count];
            preferred = null;
        }

        try
        {
            RpcClient client = await ConnectToAsync(address, CancellationToken.None);
            lock (gate)
            {
                current = client;
                currentAddress = address;
            }

            return client;
        }
        catch
        {
            lock (gate)
            {
                cursor++;
            }

            throw;
        }
    }

    private Task<RpcClient> ConnectToAsync(string address, CancellationToken token)
    {
        RpcOptions rpc = options.Rpc.Clone();
        rpc.ServerAddress = address;
        if (rpc.ConnectTimeout <= TimeSpan.Zero || rpc.ConnectTimeout > options.AttemptTimeout)
        {
            rpc.ConnectTimeout = options.AttemptTimeout;
        }

        return RpcClient.ConnectAsync(rpc, token);
    }

    /// <summary>Forgets a connection; the next attempt goes to <paramref name="leaderAddress"/> if given, else to the
    /// next member.</summary>
    private async Task DropAsync(RpcClient client, string? leaderAddress)
    {
        bool dispose = false;
        lock (gate)
        {
            // Many tasks may fail on the same connection at once: only the first moves on, so that together they
            // do not step the cursor round to the member that just failed.
            if (ReferenceEquals(current, client))
            {
                current = null;
                currentAddress = null;
                dispose = true;
                if (leaderAddress is null)
                {
                    cursor++;
                }
            }

            if (leaderAddress is not null)
            {
                preferred = leaderAddress;
            }
        }

        if (dispose)
        {
            await client.DisposeAsync();
        }
    }
}
