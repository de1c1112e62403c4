namespace Rpc25519.Tools;

/// <summary>A bad command line (exit code 2); the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);
