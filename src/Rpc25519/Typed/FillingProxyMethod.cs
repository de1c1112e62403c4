namespace Rpc25519.Typed;

/// <summary>A proxied method of the net/rpc shape <c>Task M(TArgs args, TReply reply[, CancellationToken])</c>: the
/// call's reply is decoded and copied into the caller's <typeparamref name="TReply"/> object.</summary>
internal sealed class FillingProxyMethod<TArgs, TReply> : ProxyMethod where TReply : class
{
    private readonly string _serviceMethod;
    private readonly bool _hasToken;

    public FillingProxyMethod(string serviceMethod, bool hasToken)
    {
        _serviceMethod = serviceMethod;
        _hasToken = hasToken;
    }

    public override object Invoke(RpcClient client, object?[] args) => CallAndFillAsync(client, (TArgs)args[0]!,
        (TReply?)args[1] ?? throw new ArgumentNullException("reply", $"{_serviceMethod}: the reply object to fill in " +
            "must not be null."),
        _hasToken ? (CancellationToken)args[2]! : CancellationToken.None);

    private async Task CallAndFillAsync(RpcClient client, TArgs args, TReply target, CancellationToken cancellationToken)
    {
        TReply result = await client.CallAsync<TArgs, TReply>(_serviceMethod, args, cancellationToken);
        ReplyCopier<TReply>.Copy(result, target);
    }
}
