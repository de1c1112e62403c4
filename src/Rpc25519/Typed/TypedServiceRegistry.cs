using System.Collections.Concurrent;
using MessagePack;
using Rpc25519.Messages;

namespace Rpc25519.Typed;

/// <summary>The typed services a server publishes: <c>"Service.Method"</c> → compiled handler.</summary>
/// <remarks>Thread-safe; registration takes a lock, lookups do not.</remarks>
internal sealed class TypedServiceRegistry
{
    private readonly ConcurrentDictionary<string, TypedHandler> _methods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _services = new(StringComparer.Ordinal);

    /// <summary>Guards registration (check-then-add of a whole service).</summary>
    private readonly Lock _registerLock = new();

    /// <exception cref="ArgumentException">No suitable methods, or overloaded ones.</exception>
    /// <exception cref="InvalidOperationException">A service of that name is already registered.</exception>
    public IReadOnlyList<string> Register(object service, string? name, MessagePackSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(service);
        return Register(service.GetType(), System.Linq.Expressions.Expression.Constant(service), name, options);
    }

    /// <summary>Registers a service whose calls each run on a fresh object from <paramref name="factory"/>.</summary>
    /// <exception cref="ArgumentException">No suitable methods, or overloaded ones.</exception>
    /// <exception cref="InvalidOperationException">A service of that name is already registered.</exception>
    public IReadOnlyList<string> Register<TService>(Func<TService> factory, string? name,
        MessagePackSerializerOptions options) where TService : class
    {
        ArgumentNullException.ThrowIfNull(factory);
        System.Linq.Expressions.Expression instance = System.Linq.Expressions.Expression.Invoke(
            System.Linq.Expressions.Expression.Constant(factory));
        return Register(typeof(TService), instance, name, options);
    }

    /// <summary>Registers a service whose calls each run on an object from a scope of its own (see
    /// <see cref="RpcServer.RegisterScoped{TService}"/>): the compiled methods read the call's object from an
    /// <see cref="AsyncLocal{T}"/> that a wrapper around each handler sets after opening the scope.</summary>
    /// <exception cref="ArgumentException">No suitable methods, or overloaded ones.</exception>
    /// <exception cref="InvalidOperationException">A service of that name is already registered.</exception>
    public IReadOnlyList<string> RegisterScoped<TService>(Func<(TService Service, IAsyncDisposable Scope)> openScope,
        string? name, MessagePackSerializerOptions options) where TService : class
    {
        ArgumentNullException.ThrowIfNull(openScope);
        var current = new AsyncLocal<TService?>();
        System.Linq.Expressions.Expression instance = System.Linq.Expressions.Expression.Property(
            System.Linq.Expressions.Expression.Constant(current), nameof(AsyncLocal<TService>.Value));
        return Register(typeof(TService), instance, name, options, handler =>
        {
            Func<Message, CancellationToken, ValueTask<Message>> inner = handler.Handler;
            handler.Handler = (request, cancellationToken) =>
                RunInScopeAsync(openScope, current, inner, request, cancellationToken);
        });
    }

    private static async ValueTask<Message> RunInScopeAsync<TService>(
        Func<(TService Service, IAsyncDisposable Scope)> openScope, AsyncLocal<TService?> current,
        Func<Message, CancellationToken, ValueTask<Message>> inner, Message request, CancellationToken cancellationToken)
        where TService : class
    {
        (TService service, IAsyncDisposable scope) = openScope();
        await using (scope)
        {
            // Set in this async method's own flow, so it reaches the method's call and goes away when this returns.
            current.Value = service ?? throw new InvalidOperationException(
                $"The scope factory for {typeof(TService).Name} returned a null service.");
            return await inner(request, cancellationToken);
        }
    }

    private IReadOnlyList<string> Register(Type serviceType, System.Linq.Expressions.Expression instance, string? name,
        MessagePackSerializerOptions options, Action<TypedHandler>? wrap = null)
    {
        string serviceName = name ?? serviceType.Name;
        if (string.IsNullOrWhiteSpace(serviceName))
        {
            throw new ArgumentException("A service name must not be empty.", nameof(name));
        }
        List<TypedHandler> handlers = TypedMethodCompiler.CompileAll(serviceType, instance, serviceName, options);
        if (handlers.Count == 0)
        {
            throw new ArgumentException($"Type {serviceType.FullName} has no public methods of a suitable shape " +
                $"to serve as '{serviceName}'; use {TypedMethodCompiler.AcceptedShapes}.", nameof(serviceType));
        }
        if (wrap is not null)
        {
            handlers.ForEach(wrap);
        }
        lock (_registerLock)
        {
            if (!_services.TryAdd(serviceName, true))
            {
                throw new InvalidOperationException($"A service named '{serviceName}' is already registered; pass " +
                    "another name to Register.");
            }
            foreach (TypedHandler handler in handlers)
            {
                _methods[handler.ServiceMethod] = handler;
            }
        }
        return handlers.ConvertAll(h => h.ServiceMethod);
    }

    public bool TryGet(string serviceMethod, out TypedHandler handler) =>
        _methods.TryGetValue(serviceMethod, out handler!);

    /// <summary>Why <paramref name="serviceMethod"/> cannot be served: the service or the method is unknown, or the
    /// name is ill-formed.</summary>
    public string WhyNotFound(string serviceMethod)
    {
        int dot = serviceMethod.LastIndexOf('.');
        if (dot <= 0 || dot == serviceMethod.Length - 1)
        {
            return $"rpc: service/method request ill-formed: '{serviceMethod}' (expected \"Service.Method\").";
        }
        string service = serviceMethod[..dot];
        return _services.ContainsKey(service)
            ? $"rpc: can't find method {serviceMethod} (service '{service}' has no such method)."
            : $"rpc: can't find service {service} (asked for {serviceMethod}).";
    }
}
