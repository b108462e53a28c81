namespace Phoenix.Resilience.Reporting;

/// <summary>The JSON body sent to the reporting endpoint. Every text in it has been sanitized.</summary>
/// <param name="Code">The error's stable code.</param>
/// <param name="Kind">The error kind in snake case, e.g. <c>policy_violation</c>.</param>
/// <param name="Severity">The severity in lower case, e.g. <c>high</c>.</param>
/// <param name="Message">The sanitized public message.</param>
/// <param name="Detail">The sanitized internal detail, only when enabled.</param>
/// <param name="Component">The reporting component, if known.</param>
/// <param name="Operation">The operation in progress, if known.</param>
/// <param name="TraceId">The W3C trace id (32 hex digits), if known.</param>
/// <param name="Timestamp">When the error was reported.</param>
internal sealed record ErrorReport(
    string Code,
    string Kind,
    string Severity,
    string Message,
    string? Detail,
    string? Component,
    string? Operation,
    string? TraceId,
    DateTimeOffset Timestamp);
