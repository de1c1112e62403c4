namespace Rpc25519.JSync.Protocol;

/// <summary>How the taker produces the next bytes of a file.</summary>
public enum StepKind
{
    /// <summary>Copy a chunk with this hash from wherever the taker holds it.</summary>
    Copy = 0,

    /// <summary>The bytes follow in the next <see cref="LiteralChunk"/> for this file.</summary>
    Literal = 1,

    /// <summary>This many zero bytes: written as a hole.</summary>
    Zero = 2,
}
