namespace Rpc25519.Rpc;

/// <summary>Checks an <see cref="RpcOptions"/> once, when a client or server is made from it.</summary>
internal static class ConfigValidator
{
    /// <summary>Smallest allowed <see cref="RpcOptions.MaxFrameBytes"/>.</summary>
    public const int MinFrameBytes = 4096;

    /// <summary>Smallest allowed <see cref="RpcOptions.StreamWindowBytes"/>.</summary>
    public const long MinStreamWindowBytes = 256 * 1024;

    /// <exception cref="ArgumentException">A setting is invalid; the message names it and the fix.</exception>
    public static RpcOptions ValidatedCopy(RpcOptions config, bool forServer)
    {
        ArgumentNullException.ThrowIfNull(config);
        RpcOptions copy = config.Clone();
        if (forServer && string.IsNullOrWhiteSpace(copy.ListenAddress))
        {
            Fail(nameof(RpcOptions.ListenAddress), "is empty; set it to the host:port to bind, e.g. 127.0.0.1:0.");
        }
        if (!forServer && string.IsNullOrWhiteSpace(copy.ServerAddress))
        {
            Fail(nameof(RpcOptions.ServerAddress), "is empty; set it to the server's host:port.");
        }
        if (copy.Tls is null || copy.PreSharedKey is null || copy.Peers is null || copy.Peers.ServiceLimits is null)
        {
            Fail("Tls/PreSharedKey/Peers", "must not be null; change their properties instead of replacing them " +
                "with null.");
        }
        if (!Enum.IsDefined(copy.Transport))
        {
            Fail(nameof(RpcOptions.Transport), $"is {(int)copy.Transport}; use TransportKind.Tls or TransportKind.Tcp.");
        }
        if (copy.StreamWindowBytes < MinStreamWindowBytes)
        {
            Fail(nameof(RpcOptions.StreamWindowBytes), $"is {copy.StreamWindowBytes}; it must be at least " +
                $"{MinStreamWindowBytes} (256 KiB).");
        }
        if (copy.MaxFrameBytes < MinFrameBytes)
        {
            Fail(nameof(RpcOptions.MaxFrameBytes), $"is {copy.MaxFrameBytes}; it must be at least {MinFrameBytes}.");
        }
        if (copy.MaxBufferedBytesPerConnection < 0)
        {
            Fail(nameof(RpcOptions.MaxBufferedBytesPerConnection), "must be 0 (off) or positive.");
        }
        if (copy.SendQueueCapacity < 1)
        {
            Fail(nameof(RpcOptions.SendQueueCapacity), "must be at least 1.");
        }
        if (copy.IncomingQueueCapacity < 1)
        {
            Fail(nameof(RpcOptions.IncomingQueueCapacity), "must be at least 1.");
        }
        if (copy.DefaultCallTimeout <= TimeSpan.Zero && copy.DefaultCallTimeout != Timeout.InfiniteTimeSpan)
        {
            Fail(nameof(RpcOptions.DefaultCallTimeout), "must be positive or Timeout.InfiniteTimeSpan.");
        }
        RequireNotNegative(copy.ClientKeepAliveInterval, nameof(RpcOptions.ClientKeepAliveInterval));
        RequireNotNegative(copy.ServerKeepAliveInterval, nameof(RpcOptions.ServerKeepAliveInterval));
        RequireNotNegative(copy.DeadConnectionTimeout, nameof(RpcOptions.DeadConnectionTimeout));
        RequireNotNegative(copy.ConnectTimeout, nameof(RpcOptions.ConnectTimeout));
        RequireNotNegative(copy.ShutdownGracePeriod, nameof(RpcOptions.ShutdownGracePeriod));
        if (copy.TimeProvider is null || copy.TaskScheduler is null || copy.LoggerFactory is null
            || copy.DecodeBudget is null)
        {
            Fail("TimeProvider/TaskScheduler/LoggerFactory/DecodeBudget", "must not be null; leave them at their " +
                "defaults.");
        }
        return copy;
    }

    private static void RequireNotNegative(TimeSpan value, string name)
    {
        if (value < TimeSpan.Zero)
        {
            Fail(name, $"is {value}; it must be zero (off) or positive.");
        }
    }

    private static void Fail(string setting, string problem) =>
        throw new ArgumentException($"RpcOptions.{setting} {problem}", "options");
}
