namespace Rpc25519.Tube.Client;

/// <summary>One change of a <see cref="TubeCzar"/>'s standing, as <see cref="TubeCzar.WatchAsync"/> reports it.</summary>
public sealed class TubeCzarChange
{
    /// <summary>Creates a change.</summary>
    /// <param name="isCzar">Whether this candidate holds the role from now on.</param>
    /// <param name="fencingToken">The tenure's fencing token: the one just won, or the one just ended.</param>
    /// <param name="reason">Why the standing changed.</param>
    /// <param name="holder">The holder's value when known, else null.</param>
    public TubeCzarChange(bool isCzar, long fencingToken, TubeCzarChangeReason reason, byte[]? holder)
    {
        IsCzar = isCzar;
        FencingToken = fencingToken;
        Reason = reason;
        Holder = holder;
    }

    /// <summary>Whether this candidate holds the role from now on.</summary>
    public bool IsCzar { get; }

    /// <summary>The tenure's fencing token (it grows with every new tenure of the role, whoever holds it): the one
    /// just won, or the one just ended.</summary>
    public long FencingToken { get; }

    /// <summary>Why the standing changed.</summary>
    public TubeCzarChangeReason Reason { get; }

    /// <summary>The holder's <see cref="TubeCzarOptions.Candidate"/> value when known (this candidate's own when
    /// elected), else null.</summary>
    public byte[]? Holder { get; }

    /// <inheritdoc />
    public override string ToString() => $"{(IsCzar ? "czar" : "not czar")} ({Reason}, fencing token {FencingToken})";
}
