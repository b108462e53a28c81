using System.Collections.Concurrent;
using Phoenix.Hosting.Security;

namespace Phoenix.Gateway.Tests.RateLimiting;

/// <summary>Keeps the <see cref="ISecurityEventLog.RateLimited"/> events; ignores the others.</summary>
internal sealed class RecordingSecurityEventLog : ISecurityEventLog
{
    private readonly ConcurrentQueue<(string? ClientAddress, string KeyId)> _rateLimited = new();

    public IReadOnlyList<(string? ClientAddress, string KeyId)> RateLimitedEvents => _rateLimited.ToArray();

    public void RateLimited(string? clientAddress, string keyId) => _rateLimited.Enqueue((clientAddress, keyId));

    public void AuthenticationFailed(string? clientAddress, string? keyId, string reason)
    {
    }

    public void AuthorizationDenied(string? clientAddress, string keyId, string permission)
    {
    }

    public void PolicyViolation(string? keyId, string field, string reason)
    {
    }

    public void SandboxLimitBreached(string runId, string limit)
    {
    }

    public void SandboxFailure(string runId, string reason)
    {
    }

    public void ConfigurationRejected(string source, IEnumerable<string> errors)
    {
    }

    public void UnsandboxedRun(string runId)
    {
    }

    public void CircuitOpened(string name)
    {
    }
}
