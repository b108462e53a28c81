using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Logging;
using Phoenix.Hosting.Telemetry;
using Phoenix.Resilience.Sanitization;
using Phoenix.Resilience.Security;

namespace Phoenix.Hosting.Security;

/// <summary>
/// <see cref="ISecurityEventLog"/> over <see cref="ILogger"/> (category <see cref="SecurityEventIds.Category"/>)
/// and the <see cref="HostingTelemetry.SecurityEvents"/> counter.
/// </summary>
/// <remarks>
/// <c>[LoggerMessage]</c> needs constant ids, so the ids are repeated here; a test checks that they equal
/// <see cref="SecurityEventIds"/>.
/// </remarks>
internal sealed partial class SecurityEventLog : ISecurityEventLog
{
    private const string NoKey = "(none)";
    private const string NoAddress = "(unknown)";

    private readonly ILogger _logger;
    private readonly Counter<long> _events;

    public SecurityEventLog(ILoggerFactory loggerFactory, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(meterFactory);
        _logger = loggerFactory.CreateLogger(SecurityEventIds.Category);
        _events = HostingTelemetry.CreateMeter(meterFactory).CreateCounter<long>(
            HostingTelemetry.SecurityEvents,
            unit: "{event}",
            description: "Security events logged in the Phoenix.Security category, by event.");
    }

    public void AuthenticationFailed(string? clientAddress, string? keyId, string reason)
    {
        LogAuthenticationFailed(_logger, Address(clientAddress), Key(keyId), S(reason));
        Count(SecurityEventIds.AuthenticationFailed);
    }

    public void AuthorizationDenied(string? clientAddress, string keyId, string permission)
    {
        LogAuthorizationDenied(_logger, Address(clientAddress), Key(keyId), S(permission));
        Count(SecurityEventIds.AuthorizationDenied);
    }

    public void PolicyViolation(string? keyId, string field, string reason)
    {
        LogPolicyViolation(_logger, Key(keyId), S(field), S(reason));
        Count(SecurityEventIds.PolicyViolation);
    }

    public void RateLimited(string? clientAddress, string keyId)
    {
        LogRateLimited(_logger, Address(clientAddress), Key(keyId));
        Count(SecurityEventIds.RateLimited);
    }

    public void SandboxLimitBreached(string runId, string limit)
    {
        LogSandboxLimitBreached(_logger, S(runId), S(limit));
        Count(SecurityEventIds.SandboxLimitBreached);
    }

    public void SandboxFailure(string runId, string reason)
    {
        LogSandboxFailure(_logger, S(runId), S(reason));
        Count(SecurityEventIds.SandboxFailure);
    }

    public void ConfigurationRejected(string source, IEnumerable<string> errors)
    {
        var joined = string.Join("; ", (errors ?? []).Select(MessageSanitizer.Sanitize));
        LogConfigurationRejected(_logger, S(source), joined);
        Count(SecurityEventIds.ConfigurationRejected);
    }

    public void UnsandboxedRun(string runId)
    {
        LogUnsandboxedRun(_logger, S(runId));
        Count(SecurityEventIds.UnsandboxedRun);
    }

    public void CircuitOpened(string name)
    {
        LogCircuitOpened(_logger, S(name));
        Count(SecurityEventIds.CircuitOpened);
    }

    private static string S(string? value) => MessageSanitizer.Sanitize(value);

    /// <summary>
    /// An address that parses as an IP is logged in its normalized form (it can carry neither a secret nor a path, and
    /// the sanitizer would hide private addresses, which are exactly the ones seen behind a cluster's ingress);
    /// anything else is sanitized.
    /// </summary>
    private static string Address(string? clientAddress) =>
        string.IsNullOrEmpty(clientAddress) ? NoAddress
        : IPAddress.TryParse(clientAddress, out var address) ? address.ToString()
        : MessageSanitizer.Sanitize(clientAddress);

    private static string Key(string? keyId) => string.IsNullOrEmpty(keyId) ? NoKey : MessageSanitizer.Sanitize(keyId);

    private void Count(EventId id) =>
        _events.Add(1, new KeyValuePair<string, object?>(HostingTelemetry.EventTag, id.Name));

    [LoggerMessage(EventId = 5001, EventName = "AuthenticationFailed", Level = LogLevel.Warning,
        Message = "Authentication failed from {ClientAddress} for key {KeyId}: {Reason}")]
    private static partial void LogAuthenticationFailed(ILogger logger, string clientAddress, string keyId, string reason);

    [LoggerMessage(EventId = 5002, EventName = "AuthorizationDenied", Level = LogLevel.Warning,
        Message = "Authorization denied from {ClientAddress} for key {KeyId}: permission {Permission} required")]
    private static partial void LogAuthorizationDenied(ILogger logger, string clientAddress, string keyId, string permission);

    [LoggerMessage(EventId = 5003, EventName = "PolicyViolation", Level = LogLevel.Warning,
        Message = "Policy violation by key {KeyId} in {Field}: {Reason}")]
    private static partial void LogPolicyViolation(ILogger logger, string keyId, string field, string reason);

    [LoggerMessage(EventId = 5004, EventName = "RateLimited", Level = LogLevel.Information,
        Message = "Rate limit hit from {ClientAddress} for key {KeyId}")]
    private static partial void LogRateLimited(ILogger logger, string clientAddress, string keyId);

    [LoggerMessage(EventId = 5005, EventName = "SandboxLimitBreached", Level = LogLevel.Warning,
        Message = "Run {RunId} breached its {Limit} limit")]
    private static partial void LogSandboxLimitBreached(ILogger logger, string runId, string limit);

    [LoggerMessage(EventId = 5006, EventName = "SandboxFailure", Level = LogLevel.Error,
        Message = "Sandbox failure in run {RunId}: {Reason}")]
    private static partial void LogSandboxFailure(ILogger logger, string runId, string reason);

    [LoggerMessage(EventId = 5007, EventName = "ConfigurationRejected", Level = LogLevel.Warning,
        Message = "Configuration {Source} rejected; the last good configuration stays in force: {Errors}")]
    private static partial void LogConfigurationRejected(ILogger logger, string source, string errors);

    [LoggerMessage(EventId = 5009, EventName = "UnsandboxedRun", Level = LogLevel.Warning,
        Message = "Run {RunId} executed WITHOUT a sandbox (Sandbox:Mode = Unsandboxed, development only)")]
    private static partial void LogUnsandboxedRun(ILogger logger, string runId);

    [LoggerMessage(EventId = 5010, EventName = "CircuitOpened", Level = LogLevel.Warning,
        Message = "Circuit {Name} opened")]
    private static partial void LogCircuitOpened(ILogger logger, string name);
}
