using Microsoft.Extensions.Logging;
using Rpc25519.Messages;

namespace Rpc25519.Rpc;

/// <summary>
/// What every connection of one client or server shares: the validated config, the clock, the seeded ID source, the
/// send serial counter and the logger.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class EndpointContext
{

    /// <summary>Guards <see cref="_random"/>, which is not thread-safe.</summary>
    private readonly Lock _randomLock = new();
    private readonly Random _random;
    private long _serial;

    public EndpointContext(RpcOptions config, string loggerCategory)
    {
        Config = config;
        TimeProvider = config.TimeProvider;
        // Without a configured source, seed once from the OS: IDs stay unpredictable, and a test or simulation that
        // needs them reproducible passes its own seeded Random.
        _random = config.Random ?? new Random(System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue));
        Logger = config.LoggerFactory.CreateLogger(loggerCategory);
        AsyncContinuations = ReferenceEquals(config.TaskScheduler, TaskScheduler.Default);
    }

    public RpcOptions Config { get; }

    /// <summary>
    /// Whether completions hand their continuations to the thread pool. True with the default scheduler, so that no
    /// caller code runs on a connection's loops. With any other scheduler (e.g. a simulation's single thread) the
    /// continuation runs where the completion happens: handing it to the pool would leave the scheduler and break
    /// determinism (a continuation registered without a context, as by <c>AsTask</c> or <c>WaitAsync</c>, would
    /// otherwise resume on a pool thread).
    /// </summary>
    public bool AsyncContinuations { get; }

    /// <summary>The <see cref="TaskCreationOptions"/> for completion sources, following <see cref="AsyncContinuations"/>.</summary>
    public TaskCreationOptions CompletionOptions =>
        AsyncContinuations ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None;

    public TimeProvider TimeProvider { get; }

    public ILogger Logger { get; }

    /// <summary>A fresh call ID from the seeded source.</summary>
    public string NewCallId() => CallIds.ToText(RandomBytes(CallIds.RawBytes), 0);

    /// <summary>A fresh call ID prefix for a connection's calls, from the seeded source (see <see cref="CallIds"/>).
    /// </summary>
    public CallIds.Prefix NewCallIdPrefix() => new(RandomBytes(CallIds.PrefixBytes));

    private byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        lock (_randomLock)
        {
            _random.NextBytes(bytes);
        }
        return bytes;
    }

    /// <summary>Fills in what the sender owes every outgoing message: creation time, serial and call ID.</summary>
    public void StampOutgoing(Message message)
    {
        MessageHeader hdr = message.Header;
        if (hdr.Created == default)
        {
            hdr.Created = TimeProvider.GetUtcNow();
        }
        hdr.Serial = Interlocked.Increment(ref _serial);
        if (!hdr.HasCallId)
        {
            hdr.CallIdKey = RandomBytes(CallIds.RawBytes);
        }
    }
}
