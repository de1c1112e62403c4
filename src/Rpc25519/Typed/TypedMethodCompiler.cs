using System.Linq.Expressions;
using System.Reflection;
using MessagePack;

namespace Rpc25519.Typed;

/// <summary>
/// Turns a service object's public methods into <see cref="TypedHandler"/>s. Reflection happens here, once, at
/// registration; each call then runs a compiled delegate.
/// </summary>
internal static class TypedMethodCompiler
{
    /// <summary>The shapes a method may have, for error messages.</summary>
    public const string AcceptedShapes =
        "Task<TReply> M(TArgs args[, CallContext context][, CancellationToken ct]) or " +
        "Task M(TArgs args, TReply reply[, CallContext context][, CancellationToken ct])";

    /// <summary>Compiles every public instance method of <paramref name="serviceType"/> that has an accepted shape, in
    /// name order; methods of other shapes are skipped (as in net/rpc). Each call runs on the object that
    /// <paramref name="instance"/> evaluates to: a constant for one shared object, or a factory's call for an object
    /// per call.</summary>
    public static List<TypedHandler> CompileAll(Type serviceType, Expression instance, string serviceName,
        MessagePackSerializerOptions options)
    {
        var handlers = new List<TypedHandler>();
        IEnumerable<MethodInfo> methods = serviceType
            .GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.DeclaringType != typeof(object) && !m.IsSpecialName && !m.IsGenericMethodDefinition)
            .OrderBy(m => m.Name, StringComparer.Ordinal);
        foreach (MethodInfo method in methods)
        {
            if (TryCompile(instance, method, $"{serviceName}.{method.Name}", options) is { } handler)
            {
                if (handlers.Exists(h => h.ServiceMethod == handler.ServiceMethod))
                {
                    throw new ArgumentException($"Service '{serviceName}' has more than one suitable method named " +
                        $"'{method.Name}'; typed methods are called by name, so overloads are not allowed.",
                        nameof(serviceType));
                }
                handlers.Add(handler);
            }
        }
        return handlers;
    }

    private static TypedHandler? TryCompile(Expression instance, MethodInfo method, string serviceMethod,
        MessagePackSerializerOptions options)
    {
        ParameterInfo[] parameters = method.GetParameters();
        Type returnType = method.ReturnType;
        bool returning = returnType.IsGenericType && returnType.GetGenericTypeDefinition() == typeof(Task<>);
        bool filling = returnType == typeof(Task);
        int fixedCount = returning ? 1 : 2;
        if ((!returning && !filling) || parameters.Length < fixedCount || parameters.Any(p => p.ParameterType.IsByRef))
        {
            return null;
        }
        Type argsType = parameters[0].ParameterType;
        Type replyType = returning ? returnType.GetGenericArguments()[0] : parameters[1].ParameterType;
        if (IsContextual(argsType) || IsContextual(replyType))
        {
            return null;
        }
        if (filling && (replyType.IsValueType || replyType.GetConstructor(Type.EmptyTypes) is null))
        {
            return null;
        }
        ParameterExpression args = Expression.Parameter(argsType, "args");
        ParameterExpression reply = Expression.Parameter(replyType, "reply");
        ParameterExpression context = Expression.Parameter(typeof(CallContext), "context");
        ParameterExpression token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        var callArguments = new List<Expression> { args };
        if (filling)
        {
            callArguments.Add(reply);
        }
        bool wantsContext = false;
        bool wantsToken = false;
        foreach (ParameterInfo extra in parameters.Skip(fixedCount))
        {
            if (extra.ParameterType == typeof(CallContext) && !wantsContext)
            {
                wantsContext = true;
                callArguments.Add(context);
            }
            else if (extra.ParameterType == typeof(CancellationToken) && !wantsToken)
            {
                wantsToken = true;
                callArguments.Add(token);
            }
            else
            {
                return null;
            }
        }
        MethodCallExpression call = Expression.Call(instance, method, callArguments);
        Delegate? returningDelegate = null;
        Delegate? fillingDelegate = null;
        Delegate? newReply = null;
        if (returning)
        {
            Type type = typeof(Func<,,,>).MakeGenericType(argsType, typeof(CallContext), typeof(CancellationToken),
                returnType);
            returningDelegate = Expression.Lambda(type, call, args, context, token).Compile();
        }
        else
        {
            Type type = typeof(Func<,,,,>).MakeGenericType(argsType, replyType, typeof(CallContext),
                typeof(CancellationToken), typeof(Task));
            fillingDelegate = Expression.Lambda(type, call, args, reply, context, token).Compile();
            newReply = Expression.Lambda(typeof(Func<>).MakeGenericType(replyType), Expression.New(replyType)).Compile();
        }
        Type handlerType = typeof(TypedHandler<,>).MakeGenericType(argsType, replyType);
        return (TypedHandler)Activator.CreateInstance(handlerType, serviceMethod, options, wantsContext,
            returningDelegate, fillingDelegate, newReply)!;
    }

    private static bool IsContextual(Type type) => type == typeof(CallContext) || type == typeof(CancellationToken);
}
