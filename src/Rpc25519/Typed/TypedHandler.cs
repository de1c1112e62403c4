using MessagePack;
using Rpc25519.Messages;

namespace Rpc25519.Typed;

/// <summary>One registered typed method, compiled once: decode the args, call, encode the reply.</summary>
internal abstract class TypedHandler
{
    protected TypedHandler(string serviceMethod, MessagePackSerializerOptions options)
    {
        ServiceMethod = serviceMethod;
        Options = options;
        Handler = InvokeAsync;
    }

    /// <summary>"Service.Method".</summary>
    public string ServiceMethod { get; }

    protected MessagePackSerializerOptions Options { get; }

    /// <summary>The method as a two-way Message-API function (allocated once); replaced at registration by a wrapper
    /// for a service with a scope per call, before the handler is published.</summary>
    public Func<Message, CancellationToken, ValueTask<Message>> Handler { get; set; }

    protected abstract ValueTask<Message> InvokeAsync(Message request, CancellationToken cancellationToken);
}

/// <summary>A typed method with argument type <typeparamref name="TArgs"/> and reply type <typeparamref name="TReply"/>.</summary>
internal sealed class TypedHandler<TArgs, TReply> : TypedHandler
{
    /// <summary>Shape <c>Task&lt;TReply&gt; M(TArgs[, CallContext][, CancellationToken])</c>.</summary>
    private readonly Func<TArgs, CallContext?, CancellationToken, Task<TReply>>? _returning;

    /// <summary>Shape <c>Task M(TArgs, TReply[, CallContext][, CancellationToken])</c>, which fills a fresh reply.</summary>
    private readonly Func<TArgs, TReply, CallContext?, CancellationToken, Task>? _filling;

    private readonly Func<TReply>? _newReply;
    private readonly bool _wantsContext;

    public TypedHandler(string serviceMethod, MessagePackSerializerOptions options, bool wantsContext,
        Func<TArgs, CallContext?, CancellationToken, Task<TReply>>? returning,
        Func<TArgs, TReply, CallContext?, CancellationToken, Task>? filling, Func<TReply>? newReply)
        : base(serviceMethod, options)
    {
        _wantsContext = wantsContext;
        _returning = returning;
        _filling = filling;
        _newReply = newReply;
    }

    protected override async ValueTask<Message> InvokeAsync(Message request, CancellationToken cancellationToken)
    {
        TArgs args;
        try
        {
            args = MessagePackSerializer.Deserialize<TArgs>(request.Payload, Options, cancellationToken);
        }
        catch (MessagePackSerializationException e)
        {
            throw new RpcException($"rpc: server cannot decode the arguments of {ServiceMethod} as " +
                $"{typeof(TArgs).Name}: {e.Message}", e);
        }
        CallContext? context = _wantsContext ? new CallContext(request.Header) : null;
        TReply result;
        if (_returning is not null)
        {
            result = await _returning(args, context, cancellationToken);
        }
        else
        {
            result = _newReply!();
            await _filling!(args, result, context, cancellationToken);
        }
        return new Message { Payload = MessagePackSerializer.Serialize(result, Options, cancellationToken) };
    }
}
