namespace Rpc25519.Tube.Client;

/// <summary>Settings of a <see cref="TubeCzar"/>: which role, how long a tenure lasts without renewal, and how
/// much the clocks involved may disagree.</summary>
public sealed class TubeCzarOptions
{
    /// <summary>The role's name: the key (UTF-8) every candidate of the role races to lease. Required.</summary>
    public string Role { get; set; } = "";

    /// <summary>The table that holds the role's key. Default <c>"czar"</c>.</summary>
    public string Table { get; set; } = "czar";

    /// <summary>What this candidate writes as the key's value while it holds the role, so that the others can see
    /// who the czar is (for example its name or address). Default empty.</summary>
    public byte[] Candidate { get; set; } = [];

    /// <summary>The lease each write takes: how long the role stays with a holder that stops renewing. Default 5 s
    /// (the original's).</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the holder renews, and how often a candidate tries again while another holds the role.
    /// Default 1 s. Must be below <see cref="LeaseDuration"/> − <see cref="ClockDriftBound"/>.</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one write may take before it is given up and tried again. Default 2 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How much earlier than the lease's end the holder stops calling itself czar: at least the largest
    /// difference between any two replicas' wall clocks (the leaders stamp lease times) plus the holder's clock
    /// rate error over one lease. Default 500 ms (the tube config's <c>ClockDriftBound</c>).</summary>
    public TimeSpan ClockDriftBound { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message says which and what to do.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Role))
        {
            throw new ArgumentException("TubeCzarOptions.Role is empty; name the role the candidates compete for.");
        }

        if (string.IsNullOrEmpty(Table))
        {
            throw new ArgumentException("TubeCzarOptions.Table is empty; name the table of the role's key.");
        }

        ArgumentNullException.ThrowIfNull(Candidate);
        if (LeaseDuration <= TimeSpan.Zero || RenewInterval <= TimeSpan.Zero || AttemptTimeout <= TimeSpan.Zero ||
            ClockDriftBound < TimeSpan.Zero)
        {
            throw new ArgumentException("TubeCzarOptions: LeaseDuration, RenewInterval and AttemptTimeout must be " +
                "positive and ClockDriftBound at least 0.");
        }

        if (RenewInterval >= LeaseDuration - ClockDriftBound)
        {
            throw new ArgumentException($"TubeCzarOptions.RenewInterval ({RenewInterval}) must be below " +
                $"LeaseDuration − ClockDriftBound ({LeaseDuration - ClockDriftBound}), or the holder loses the role " +
                "between renewals; renew more often or take a longer lease.");
        }
    }

    internal TubeCzarOptions Copy() => new()
    {
        Role = Role, Table = Table, Candidate = [.. Candidate], LeaseDuration = LeaseDuration,
        RenewInterval = RenewInterval, AttemptTimeout = AttemptTimeout, ClockDriftBound = ClockDriftBound,
    };
}
