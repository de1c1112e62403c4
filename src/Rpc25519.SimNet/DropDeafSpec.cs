namespace Rpc25519.SimNet;

/// <summary>
/// A change to the probabilities of a circuit end (or of every circuit of a host). Null leaves a probability as it is;
/// 0 is healthy, 1 loses everything.
/// </summary>
/// <param name="DropSendProbability">Chance that a message sent from this end is lost in the network (decided when it
/// arrives, with a deterministic credit counter so the observed fraction tracks the probability exactly).</param>
/// <param name="DeafReadProbability">Chance that a message arriving at this end is not heard (a seeded draw per
/// message).</param>
public readonly record struct DropDeafSpec(double? DropSendProbability, double? DeafReadProbability)
{
    /// <summary>Lose everything in both directions at this end.</summary>
    public static DropDeafSpec Dead => new(1.0, 1.0);

    /// <summary>Healthy in both directions.</summary>
    public static DropDeafSpec Healthy => new(0.0, 0.0);

    /// <summary>Reads like <c>drop=1 deaf=unchanged</c>.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"drop={DropSendProbability?.ToString() ?? "unchanged"} " +
            $"deaf={DeafReadProbability?.ToString() ?? "unchanged"}");

    internal void Validate()
    {
        Check(DropSendProbability, nameof(DropSendProbability));
        Check(DeafReadProbability, nameof(DeafReadProbability));
    }

    private static void Check(double? probability, string name)
    {
        if (probability is { } p && (double.IsNaN(p) || p < 0 || p > 1))
        {
            throw new ArgumentOutOfRangeException(name, p, "A probability must be in [0, 1].");
        }
    }
}
