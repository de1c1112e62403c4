namespace Rpc25519.Rpc;

/// <summary>Checks an <see cref="RpcConfig"/> once, when a client or server is made from it.</summary>
internal static class ConfigValidator
{
    /// <summary>Smallest allowed <see cref="RpcConfig.MaxFrameBytes"/>.</summary>
    public const int MinFrameBytes = 4096;

    /// <exception cref="ArgumentException">A setting is invalid; the message names it and the fix.</exception>
    public static RpcConfig ValidatedCopy(RpcConfig config, bool forServer)
    {
        ArgumentNullException.ThrowIfNull(config);
        RpcConfig copy = config.Clone();
        if (forServer && string.IsNullOrWhiteSpace(copy.ServerAddr))
        {
            Fail(nameof(RpcConfig.ServerAddr), "is empty; set it to the host:port to bind, e.g. 127.0.0.1:0.");
        }
        if (!forServer && string.IsNullOrWhiteSpace(copy.ClientDialToHostPort))
        {
            Fail(nameof(RpcConfig.ClientDialToHostPort), "is empty; set it to the server's host:port.");
        }
        if (copy.MaxFrameBytes < MinFrameBytes)
        {
            Fail(nameof(RpcConfig.MaxFrameBytes), $"is {copy.MaxFrameBytes}; it must be at least {MinFrameBytes}.");
        }
        if (copy.SendQueueCapacity < 1)
        {
            Fail(nameof(RpcConfig.SendQueueCapacity), "must be at least 1.");
        }
        if (copy.IncomingQueueCapacity < 1)
        {
            Fail(nameof(RpcConfig.IncomingQueueCapacity), "must be at least 1.");
        }
        if (copy.DefaultCallTimeout <= TimeSpan.Zero && copy.DefaultCallTimeout != Timeout.InfiniteTimeSpan)
        {
            Fail(nameof(RpcConfig.DefaultCallTimeout), "must be positive or Timeout.InfiniteTimeSpan.");
        }
        RequireNotNegative(copy.ClientSendKeepAlive, nameof(RpcConfig.ClientSendKeepAlive));
        RequireNotNegative(copy.ServerSendKeepAlive, nameof(RpcConfig.ServerSendKeepAlive));
        RequireNotNegative(copy.DeadConnectionTimeout, nameof(RpcConfig.DeadConnectionTimeout));
        RequireNotNegative(copy.ConnectTimeout, nameof(RpcConfig.ConnectTimeout));
        RequireNotNegative(copy.ShutdownGracePeriod, nameof(RpcConfig.ShutdownGracePeriod));
        if (copy.TimeProvider is null || copy.TaskScheduler is null || copy.LoggerFactory is null)
        {
            Fail("TimeProvider/TaskScheduler/LoggerFactory", "must not be null; leave them at their defaults.");
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
        throw new ArgumentException($"RpcConfig.{setting} {problem}", "config");
}
