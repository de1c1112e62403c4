using Microsoft.Extensions.Logging;

namespace Rpc25519.SimNet.Tests;

/// <summary>Collects the event ids logged through it, for coverage-mark assertions.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
{
    public List<EventId> Events { get; } = [];

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
        Func<TState, Exception?, string> formatter) => Events.Add(eventId);
}
