using Rpc25519.Typed;

namespace Rpc25519;

public sealed partial class RpcServer
{
    private readonly TypedServiceRegistry _typed = new();

    /// <summary>
    /// Publishes the public methods of <paramref name="service"/> for typed (net/rpc-style) calls, each as
    /// <c>"Service.Method"</c>. Accepted shapes: <c>Task&lt;TReply&gt; M(TArgs args[, CallContext][, CancellationToken])</c>
    /// and the classic <c>Task M(TArgs args, TReply reply[, CallContext][, CancellationToken])</c>, which fills a fresh
    /// <c>TReply</c> (a class with a parameterless constructor). Methods of other shapes are skipped. Arguments and
    /// replies travel as MessagePack (<see cref="RpcOptions.TypedSerializerOptions"/>). The token fires on remote
    /// cancellation, at the caller's deadline, on disconnect and at server stop; an exception's message goes back to
    /// the caller as a <see cref="RemoteException"/>. Methods are compiled to delegates here, once.
    /// </summary>
    /// <param name="service">The object whose methods serve the calls; shared by all concurrent calls.</param>
    /// <param name="name">The service name; default the type's name. May contain dots (the method name follows the
    /// last one).</param>
    /// <returns>The <c>"Service.Method"</c> names now served.</returns>
    /// <exception cref="ArgumentException">The type has no method of a suitable shape, or overloads one.</exception>
    /// <exception cref="InvalidOperationException">A service of that name is already registered.</exception>
    public IReadOnlyList<string> Register(object service, string? name = null) =>
        _typed.Register(service, name, _endpoint.Config.TypedSerializerOptions);

    /// <summary>
    /// Publishes the public methods of <typeparamref name="TService"/> as <see cref="Register(object, string?)"/> does,
    /// but each call runs on a fresh object from <paramref name="factory"/> (e.g. resolved from a dependency-injection
    /// container per call), so the service needs no thread-safety of its own.
    /// </summary>
    /// <param name="factory">Makes the object for one call; called on the call's thread before the method.</param>
    /// <param name="name">The service name; default the type's name.</param>
    /// <returns>The <c>"Service.Method"</c> names now served.</returns>
    /// <exception cref="ArgumentException">The type has no method of a suitable shape, or overloads one.</exception>
    /// <exception cref="InvalidOperationException">A service of that name is already registered.</exception>
    public IReadOnlyList<string> Register<TService>(Func<TService> factory, string? name = null) where TService : class =>
        _typed.Register(factory, name, _endpoint.Config.TypedSerializerOptions);

    /// <summary>
    /// Publishes the public methods of <typeparamref name="TService"/> as <see cref="Register(object, string?)"/> does,
    /// each call on an object from a scope of its own: <paramref name="openScope"/> makes the scope and the object
    /// before the method runs, and the scope is disposed once the method has returned and its reply is encoded (also
    /// when the method throws). This is how a dependency-injection scope per call is made (Rpc25519.Hosting does it
    /// for services registered as scoped or transient).
    /// </summary>
    /// <param name="openScope">Makes the object for one call and the scope that owns it; called on the call's thread.
    /// An exception from it fails that call (the caller gets a <see cref="RemoteException"/>).</param>
    /// <param name="name">The service name; default the type's name.</param>
    /// <returns>The <c>"Service.Method"</c> names now served.</returns>
    /// <exception cref="ArgumentException">The type has no method of a suitable shape, or overloads one.</exception>
    /// <exception cref="InvalidOperationException">A service of that name is already registered.</exception>
    public IReadOnlyList<string> RegisterScoped<TService>(Func<(TService Service, IAsyncDisposable Scope)> openScope,
        string? name = null) where TService : class =>
        _typed.RegisterScoped(openScope, name, _endpoint.Config.TypedSerializerOptions);
}
