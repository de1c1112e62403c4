using Rpc25519.Rpc;
using MessagePack;
using Rpc25519.Messages;
using Rpc25519.Typed;

namespace Rpc25519;

public sealed partial class RpcClient
{
    /// <summary>
    /// Calls a typed method registered with <see cref="RpcServer.Register"/> and returns its reply. Waits at most
    /// <see cref="RpcOptions.DefaultCallTimeout"/>.
    /// </summary>
    /// <param name="serviceMethod"><c>"Service.Method"</c>.</param>
    /// <param name="args">The argument, serialized with <see cref="RpcOptions.TypedSerializerOptions"/>.</param>
    /// <param name="cancellationToken">Cancelling it cancels the remote handler and throws
    /// <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="RemoteException">The remote method threw; the message is its error text.</exception>
    /// <exception cref="RpcException">The server has no such service or method (the message says which).</exception>
    /// <exception cref="RpcTimeoutException">No reply in time.</exception>
    /// <exception cref="RpcConnectionClosedException">The connection closed first.</exception>
    public Task<TReply> CallAsync<TArgs, TReply>(string serviceMethod, TArgs args,
        CancellationToken cancellationToken = default) =>
        CallTypedAsync<TArgs, TReply>(serviceMethod, args, null, cancellationToken);

    /// <summary>Like <see cref="CallAsync{TArgs, TReply}(string, TArgs, CancellationToken)"/>, with a deadline
    /// <paramref name="timeout"/> from now that the server's handler also observes.</summary>
    /// <param name="serviceMethod"><c>"Service.Method"</c>.</param>
    /// <param name="args">The argument.</param>
    /// <param name="timeout">How long the call may take, on both sides; <see cref="Timeout.InfiniteTimeSpan"/> (or a
    /// span longer than a timer can hold, about 49 days) for no deadline.</param>
    /// <param name="cancellationToken">Cancels the call (and the remote handler).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or negative (other than
    /// <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public Task<TReply> CallAsync<TArgs, TReply>(string serviceMethod, TArgs args, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout,
                "A call timeout must be positive, or Timeout.InfiniteTimeSpan for none.");
        }
        DateTimeOffset? deadline = timeout == Timeout.InfiniteTimeSpan || timeout > TimerRange.MaxDelay
            ? null
            : _endpoint.TimeProvider.GetUtcNow() + timeout;
        return CallTypedAsync<TArgs, TReply>(serviceMethod, args, deadline, cancellationToken);
    }

    /// <summary>
    /// Returns an implementation of interface <typeparamref name="T"/> whose methods call the server's typed service.
    /// Each method must have the shape <c>Task&lt;TReply&gt; M(TArgs args[, CancellationToken ct])</c>; it calls
    /// <c>"{serviceName}.{M}"</c>. The interface is inspected once, here; calls run precompiled code.
    /// </summary>
    /// <param name="serviceName">The service's name on the server; default the interface's name without a leading
    /// <c>I</c> (<c>IArith</c> → <c>Arith</c>).</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not an interface, or has a method of another
    /// shape (the message names it).</exception>
    public T CreateProxy<T>(string? serviceName = null) where T : class => TypedProxy.Create<T>(this, serviceName);

    private Task<TReply> CallTypedAsync<TArgs, TReply>(string serviceMethod, TArgs args, DateTimeOffset? deadline,
        CancellationToken cancellationToken) =>
        Diagnostics.RpcMetrics.ObserveClientCalls
            ? CallTypedObservedAsync<TArgs, TReply>(serviceMethod, args, deadline, cancellationToken)
            : CallTypedUnobservedAsync<TArgs, TReply>(serviceMethod, args, deadline, cancellationToken);

    private async Task<TReply> CallTypedUnobservedAsync<TArgs, TReply>(string serviceMethod, TArgs args,
        DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        MessagePackSerializerOptions options = _endpoint.Config.TypedSerializerOptions;
        Message reply = await _connection.CallAsync(
            TypedRequest(serviceMethod, args, deadline, options, cancellationToken), cancellationToken);
        return ReplyErrors.ToException(reply) is { } error ? throw error
            : MessagePackSerializer.Deserialize<TReply>(reply.Payload, options, cancellationToken);
    }

    private static Message TypedRequest<TArgs>(string serviceMethod, TArgs args, DateTimeOffset? deadline,
        MessagePackSerializerOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceMethod);
        return new Message(new MessageHeader
        {
            CallType = CallType.TypedCall,
            ServiceName = serviceMethod,
            Deadline = deadline,
        })
        {
            Payload = MessagePackSerializer.Serialize(args, options, cancellationToken),
        };
    }

    /// <summary>A typed call timed for the metrics and traced, for when someone listens.</summary>
    private async Task<TReply> CallTypedObservedAsync<TArgs, TReply>(string serviceMethod, TArgs args,
        DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        MessagePackSerializerOptions options = _endpoint.Config.TypedSerializerOptions;
        Message request = TypedRequest(serviceMethod, args, deadline, options, cancellationToken);
        return await CallObservedAsync(request,
            reply => MessagePackSerializer.Deserialize<TReply>(reply.Payload, options, cancellationToken),
            cancellationToken);
    }
}
