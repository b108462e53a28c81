using Microsoft.Extensions.Logging;

namespace Phoenix.Gateway.Tests.Support;

/// <summary>One log entry written through <see cref="AuthLogCapture"/>.</summary>
internal sealed record AuthCapturedLog(string Category, LogLevel Level, EventId EventId, string Message);
