using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>One message waiting in a connection's send queue, and who to tell when it has gone out.</summary>
internal readonly record struct OutgoingFrame(Message Message, ISendCompletion? Completion);
