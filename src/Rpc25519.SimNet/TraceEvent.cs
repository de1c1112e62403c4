namespace Rpc25519.SimNet;

/// <summary>One event of a simulation trace, as kept in the recent-events window for failure reports.</summary>
/// <param name="Step">The executor step during which the event happened.</param>
/// <param name="TimeTicks">Virtual time in ticks (100 ns) since <see cref="VirtualTimeProvider.Epoch"/>.</param>
/// <param name="NodeId">The node the event belongs to (0 is the simulation itself).</param>
/// <param name="Kind">What happened.</param>
/// <param name="Detail">A kind-specific number (byte count, connection id, new time...).</param>
/// <param name="Note">An optional constant label (never formatted per event, so tracing stays cheap).</param>
public readonly record struct TraceEvent(long Step, long TimeTicks, int NodeId, TraceKind Kind, long Detail,
    string? Note)
{
    /// <summary>Formats the event as one line: step, virtual time, node, kind, detail and note.</summary>
    public override string ToString()
    {
        var time = TimeSpan.FromTicks(TimeTicks);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"#{Step} t={time.TotalMilliseconds:F4}ms node={NodeId} {Kind} {Detail} {Note}");
    }
}
