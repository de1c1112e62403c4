namespace Rpc25519.SimNet;

/// <summary>
/// The undo of one network alteration (fault, isolation, power change, skew...), as returned by the call that made
/// it. <see cref="Undo"/> restores what that call changed, once; later calls do nothing.
/// </summary>
/// <remarks>Thread-safety: call on the simulation thread.</remarks>
public sealed class SimUndo
{
    private Action? _undo;

    internal SimUndo(string description, Action undo)
    {
        Description = description;
        _undo = undo;
    }

    /// <summary>What the alteration was, e.g. <c>isolate n3</c>.</summary>
    public string Description { get; }

    /// <summary>True once <see cref="Undo"/> ran.</summary>
    public bool IsUndone => _undo is null;

    /// <summary>Restores the state before the alteration. Idempotent.</summary>
    public void Undo()
    {
        Action? undo = _undo;
        _undo = null;
        undo?.Invoke();
    }

    /// <inheritdoc/>
    public override string ToString() => Description;
}
