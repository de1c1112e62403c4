namespace Rpc25519;

/// <summary>
/// The peer could not be authenticated, or it refused us: wrong CA, a key type other than Ed25519, a key not in a
/// locked-down known-keys list, a pre-shared key that differs. The message says which.
/// </summary>
public class AuthenticationRejectedException : RpcException
{
    /// <summary>Creates the error with a message that says why authentication failed.</summary>
    public AuthenticationRejectedException(string message) : base(message) { }

    /// <summary>Creates the error and keeps its cause.</summary>
    public AuthenticationRejectedException(string message, Exception? innerException)
        : base(message, innerException) { }
}
