using System.Reflection;

namespace Rpc25519.Typed;

/// <summary>One proxied interface method.</summary>
internal abstract class ProxyMethod
{
    public abstract object Invoke(RpcClient client, object?[] args);

    /// <summary>Compiles the caller of one interface method, in one of the shapes the server accepts:
    /// <c>Task&lt;TReply&gt; M(TArgs[, CancellationToken])</c>, or the net/rpc shape
    /// <c>Task M(TArgs, TReply[, CancellationToken])</c> whose reply object the call fills in.</summary>
    /// <exception cref="ArgumentException">The method has another shape; the message shows the accepted ones.</exception>
    public static ProxyMethod For(MethodInfo method, string serviceMethod)
    {
        ParameterInfo[] parameters = method.GetParameters();
        Type returnType = method.ReturnType;
        bool hasToken = parameters.Length > 0 && parameters[^1].ParameterType == typeof(CancellationToken);
        Type[] data = [.. parameters.Take(parameters.Length - (hasToken ? 1 : 0)).Select(p => p.ParameterType)];
        bool plainData = data.All(t => t != typeof(CancellationToken) && t != typeof(CallContext) && !t.IsByRef);
        if (plainData && data.Length == 1 && returnType.IsGenericType
            && returnType.GetGenericTypeDefinition() == typeof(Task<>))
        {
            Type type = typeof(ProxyMethod<,>).MakeGenericType(data[0], returnType.GetGenericArguments()[0]);
            return (ProxyMethod)Activator.CreateInstance(type, serviceMethod, hasToken)!;
        }
        if (plainData && data.Length == 2 && returnType == typeof(Task))
        {
            if (data[1].IsValueType)
            {
                throw new ArgumentException($"{method.DeclaringType?.Name}.{method.Name} cannot be proxied: its reply " +
                    $"parameter {data[1].Name} is a value type, which a call cannot fill in; use a class, or return " +
                    "Task<TReply>.", nameof(method));
            }
            Type type = typeof(FillingProxyMethod<,>).MakeGenericType(data[0], data[1]);
            return (ProxyMethod)Activator.CreateInstance(type, serviceMethod, hasToken)!;
        }
        throw new ArgumentException($"{method.DeclaringType?.Name}.{method.Name} cannot be proxied; proxy methods " +
            "must look like Task<TReply> M(TArgs args[, CancellationToken ct]) or " +
            "Task M(TArgs args, TReply reply[, CancellationToken ct]).", nameof(method));
    }
}

/// <summary>A proxied method taking <typeparamref name="TArgs"/> and returning <typeparamref name="TReply"/>.</summary>
internal sealed class ProxyMethod<TArgs, TReply> : ProxyMethod
{
    private readonly string _serviceMethod;
    private readonly bool _hasToken;

    public ProxyMethod(string serviceMethod, bool hasToken)
    {
        _serviceMethod = serviceMethod;
        _hasToken = hasToken;
    }

    public override object Invoke(RpcClient client, object?[] args) =>
        client.CallAsync<TArgs, TReply>(_serviceMethod, (TArgs)args[0]!,
            _hasToken ? (CancellationToken)args[1]! : CancellationToken.None);
}
