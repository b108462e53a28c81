using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Phoenix.Gateway.Tests.Support;

/// <summary>Keeps every log entry of a test host in memory.</summary>
internal sealed class AuthLogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<AuthCapturedLog> _logs = new();

    public IReadOnlyList<AuthCapturedLog> Logs => _logs.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _logs);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<AuthCapturedLog> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue(new AuthCapturedLog(category, logLevel, eventId, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
    }
}
