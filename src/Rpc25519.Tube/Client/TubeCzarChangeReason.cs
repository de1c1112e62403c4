namespace Rpc25519.Tube.Client;

/// <summary>Why a <see cref="TubeCzar"/>'s standing changed.</summary>
public enum TubeCzarChangeReason
{
    /// <summary>This candidate won the role (a new tenure with a new fencing token).</summary>
    Elected,

    /// <summary>No renewal succeeded in time: by this candidate's own clock its tenure ended (it may still hold the
    /// lease in the cluster, but must act as if it did not).</summary>
    Expired,

    /// <summary>The cluster answered that another session holds the role.</summary>
    Taken,

    /// <summary>The czar was disposed: it stopped renewing and released the role.</summary>
    Released,
}
