using Phoenix.Resilience.Errors;

namespace Phoenix.Resilience.Reporting;

/// <summary>An error waiting to be sent, with what was known when it was reported. Not sanitized yet.</summary>
/// <param name="Error">The error.</param>
/// <param name="Component">The component that reported it, if known.</param>
/// <param name="Operation">The operation in progress, if known.</param>
/// <param name="TraceId">The W3C trace id, if known.</param>
/// <param name="Timestamp">When it was reported.</param>
internal sealed record PendingErrorReport(PhoenixError Error, string? Component, string? Operation, string? TraceId, DateTimeOffset Timestamp);
