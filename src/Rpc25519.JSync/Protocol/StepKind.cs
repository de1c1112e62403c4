namespace Rpc25519.JSync.Protocol;

/// <summary>How the taker produces the next bytes of a file.</summary>
public enum StepKind
{
    /// <summary>Copy a byte range the taker already holds (see <see cref="PlanStep.Source"/>).</summary>
    Copy = 0,

    /// <summary>The bytes travel in the plan's <see cref="FilePlan.Data"/>.</summary>
    Literal = 1,

    /// <summary>This many zero bytes: written as a hole.</summary>
    Zero = 2,
}
