using Microsoft.Extensions.Logging;

namespace Phoenix.Hosting.Tests.Support;

/// <summary>One log entry written through <see cref="CapturingLoggerProvider"/>.</summary>
internal sealed record CapturedLog(
    string Category,
    LogLevel Level,
    EventId EventId,
    string Message,
    IReadOnlyList<KeyValuePair<string, object?>> State)
{
    public object? this[string key] => State.FirstOrDefault(p => p.Key == key).Value;
}
