using Rpc25519.Tube.StateMachines.Errors;

namespace Rpc25519.Tools;

/// <summary>Exit codes and error lines shared by the Tube client tools.</summary>
internal static class ToolErrors
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The cluster refused or did not answer (unreachable, no leader, a refused change, a bad key file).</summary>
    public const int Failed = 1;

    /// <summary>A bad command line or config file.</summary>
    public const int Usage = 2;

    /// <summary>The key is absent (get, del), or a compare-and-swap's condition did not hold.</summary>
    public const int NotFound = 3;

    /// <summary>Stopped by Ctrl-C or SIGTERM before the operation finished (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    /// <summary>Prints one line for <paramref name="error"/> and returns its exit code; null when the error is not
    /// one the tools expect (a bug: let it surface).</summary>
    public static int? Report(string tool, Exception error, TextWriter stderr)
    {
        (int code, string text) = error switch
        {
            UsageException => (Usage, error.Message),
            OperationCanceledException => (Interrupted, "interrupted; the operation may or may not have taken effect"),
            CasMismatchException => (NotFound, "compare-and-swap failed: " + error.Message),
            TubeException => (Failed, error.Message),
            RpcException => (Failed, error.Message),
            IOException or UnauthorizedAccessException => (Failed, error.Message),
            _ => (-1, ""),
        };
        if (code < 0)
        {
            return null;
        }

        stderr.WriteLine($"{tool}: error: {text}");
        return code;
    }
}
