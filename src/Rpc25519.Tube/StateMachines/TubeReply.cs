using MessagePack;
using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tube.StateMachines;

/// <summary>
/// The answer to one replicated command: the machine's reply bytes, or an error. Serialized with MessagePack
/// (integer keys). A retried command gets the same reply again with <see cref="Duplicate"/> set.
/// </summary>
[MessagePackObject]
public sealed class TubeReply
{
    /// <summary>Why the command was refused, or <see cref="TubeErrorCode.None"/>.</summary>
    [Key(0)]
    public TubeErrorCode Error { get; init; }

    /// <summary>The error message (null on success).</summary>
    [Key(1)]
    public string? Message { get; init; }

    /// <summary>The machine's reply bytes on success; on some errors, details (the key as it is now).</summary>
    [Key(2)]
    public byte[]? Payload { get; init; }

    /// <summary>True when this reply was served from the session's cache for a retried command, which was not
    /// applied again.</summary>
    [Key(3)]
    public bool Duplicate { get; init; }

    /// <summary>The log index of the entry whose application produced this reply.</summary>
    [Key(4)]
    public long Index { get; init; }

    /// <summary>True when the command was applied (or answered) without error.</summary>
    [IgnoreMember]
    public bool IsSuccess => Error == TubeErrorCode.None;

    /// <summary>Decodes reply bytes.</summary>
    /// <param name="bytes">Bytes returned by <see cref="StateMachineSet.Apply"/>.</param>
    /// <returns>The reply.</returns>
    public static TubeReply FromBytes(ReadOnlyMemory<byte> bytes) => TubeSerializer.Deserialize<TubeReply>(bytes);

    /// <summary>Serializes the reply.</summary>
    /// <returns>The MessagePack bytes.</returns>
    public byte[] ToBytes() => TubeSerializer.Serialize(this);

    /// <summary>Throws the typed <see cref="TubeException"/> for an error reply; returns the payload otherwise.</summary>
    /// <returns>The machine's reply bytes (empty when it returned none).</returns>
    public byte[] ThrowIfError() => IsSuccess ? Payload ?? [] : throw TubeErrors.FromReply(this);

    internal static TubeReply Success(long index, byte[] payload) => new() { Index = index, Payload = payload };

    internal static TubeReply Failure(long index, TubeException error) => new()
    {
        Index = index, Error = error.ErrorCode, Message = error.Message, Payload = error.DetailPayload,
    };

    internal TubeReply AsDuplicate() => new()
    {
        Error = Error, Message = Message, Payload = Payload, Duplicate = true, Index = Index,
    };
}
