using System.Reflection;

namespace Rpc25519.Typed;

/// <summary>One proxied interface method.</summary>
internal abstract class ProxyMethod
{
    public abstract object Invoke(RpcClient client, object?[] args);

    public static ProxyMethod For(MethodInfo method, string serviceMethod)
    {
        ParameterInfo[] parameters = method.GetParameters();
        Type returnType = method.ReturnType;
        bool shapeOk = returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>)
            && parameters.Length is 1 or 2
            && parameters[0].ParameterType != typeof(CancellationToken) && !parameters[0].ParameterType.IsByRef
            && (parameters.Length == 1 || parameters[1].ParameterType == typeof(CancellationToken));
        if (!shapeOk)
        {
            throw new ArgumentException($"{method.DeclaringType?.Name}.{method.Name} cannot be proxied; proxy methods " +
                "must look like Task<TReply> M(TArgs args[, CancellationToken ct]).", nameof(method));
        }
        Type type = typeof(ProxyMethod<,>).MakeGenericType(parameters[0].ParameterType, returnType.GetGenericArguments()[0]);
        return (ProxyMethod)Activator.CreateInstance(type, serviceMethod, parameters.Length == 2)!;
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
