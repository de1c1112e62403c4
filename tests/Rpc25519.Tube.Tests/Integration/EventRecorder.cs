using Microsoft.Extensions.Logging;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>Collects the events logged through it with their messages (single-threaded use under SimNet).</summary>
internal sealed class EventRecorder : ILoggerFactory, ILogger
{
    public List<(EventId Id, string Message)> Events { get; } = [];

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter) => Events.Add((eventId, formatter(state, exception)));
}
