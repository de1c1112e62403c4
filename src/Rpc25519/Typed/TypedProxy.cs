using System.Reflection;

namespace Rpc25519.Typed;

/// <summary>The <see cref="DispatchProxy"/> behind <see cref="RpcClient.CreateProxy{T}"/>: each interface method maps,
/// through a table built once, to a precompiled caller.</summary>
internal class TypedProxy : DispatchProxy
{
    private RpcClient _client = null!;
    private Dictionary<MethodInfo, ProxyMethod> _methods = null!;

    public static T Create<T>(RpcClient client, string? serviceName) where T : class
    {
        Type type = typeof(T);
        if (!type.IsInterface)
        {
            throw new ArgumentException($"{type.FullName} is not an interface; a typed proxy implements an interface.",
                nameof(T));
        }
        string service = serviceName ?? DefaultServiceName(type);
        var methods = new Dictionary<MethodInfo, ProxyMethod>();
        foreach (MethodInfo method in type.GetMethods().Concat(type.GetInterfaces().SelectMany(i => i.GetMethods())))
        {
            methods[method] = ProxyMethod.For(method, $"{service}.{method.Name}");
        }
        T proxy = DispatchProxy.Create<T, TypedProxy>();
        var typed = (TypedProxy)(object)proxy;
        typed._client = client;
        typed._methods = methods;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        _methods[targetMethod!].Invoke(_client, args!);

    private static string DefaultServiceName(Type type) =>
        type.Name.Length > 1 && type.Name[0] == 'I' && char.IsUpper(type.Name[1]) ? type.Name[1..] : type.Name;
}
