using System.Linq.Expressions;
using System.Reflection;

namespace Rpc25519.Typed;

/// <summary>Copies every public settable property and public writable field of one <typeparamref name="T"/> into
/// another, through a delegate compiled once; how a net/rpc-shaped proxy call fills in its caller's reply object.</summary>
internal static class ReplyCopier<T> where T : class
{
    private static readonly Action<T, T> CopyMembers = Compile();

    /// <summary>Copies <paramref name="source"/>'s public members into <paramref name="target"/>.</summary>
    public static void Copy(T source, T target)
    {
        ArgumentNullException.ThrowIfNull(source);
        CopyMembers(source, target);
    }

    private static Action<T, T> Compile()
    {
        ParameterExpression source = Expression.Parameter(typeof(T), "source");
        ParameterExpression target = Expression.Parameter(typeof(T), "target");
        var assignments = new List<Expression>();
        foreach (PropertyInfo property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.CanRead && property.CanWrite && property.GetIndexParameters().Length == 0
                && property.SetMethod!.IsPublic)
            {
                assignments.Add(Expression.Assign(Expression.Property(target, property),
                    Expression.Property(source, property)));
            }
        }
        foreach (FieldInfo field in typeof(T).GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!field.IsInitOnly)
            {
                assignments.Add(Expression.Assign(Expression.Field(target, field), Expression.Field(source, field)));
            }
        }
        Expression body = assignments.Count == 0 ? Expression.Empty() : Expression.Block(assignments);
        return Expression.Lambda<Action<T, T>>(body, source, target).Compile();
    }
}
