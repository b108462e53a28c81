namespace Phoenix.Hosting.Security;

/// <summary>
/// Writes security events in the <c>Phoenix.Security</c> log category with the stable ids of
/// <see cref="Phoenix.Resilience.Security.SecurityEventIds"/>, and counts them in the
/// <c>phoenix.security.events</c> counter (tag <c>event</c>).
/// </summary>
/// <remarks>
/// Every string argument is passed through <see cref="Phoenix.Resilience.Sanitization.MessageSanitizer.Sanitize(string?)"/>
/// before it is logged: never pass a raw key, but a key or host path passed by mistake is not written as is.
/// A missing key id is logged as <c>(none)</c>. Exception: a client address that parses as an IP address is logged in
/// its normalized form rather than sanitized (an IP carries no secret or path, and the sanitizer would hide the private
/// addresses that identify callers inside a cluster); any other client address is sanitized, a missing one is
/// logged as <c>(unknown)</c>.
/// </remarks>
public interface ISecurityEventLog
{
    /// <summary>Credentials missing or not valid (event 5001, warning).</summary>
    /// <param name="clientAddress">The caller's address, if known.</param>
    /// <param name="keyId">The key id the caller claimed, if any (never the key itself).</param>
    /// <param name="reason">Why authentication failed.</param>
    void AuthenticationFailed(string? clientAddress, string? keyId, string reason);

    /// <summary>Valid credentials lacking a permission (event 5002, warning).</summary>
    /// <param name="clientAddress">The caller's address, if known.</param>
    /// <param name="keyId">The authenticated key id.</param>
    /// <param name="permission">The permission the request needed.</param>
    void AuthorizationDenied(string? clientAddress, string keyId, string permission);

    /// <summary>A command or argument refused by the executor policy (event 5003, warning).</summary>
    /// <param name="keyId">The key id of the caller, if known.</param>
    /// <param name="field">The request field that violated the policy (e.g. <c>command</c>).</param>
    /// <param name="reason">Why it was refused.</param>
    void PolicyViolation(string? keyId, string field, string reason);

    /// <summary>A caller hit its rate limit (event 5004, information: it can be frequent).</summary>
    /// <param name="clientAddress">The caller's address, if known.</param>
    /// <param name="keyId">The key id whose limit was hit.</param>
    void RateLimited(string? clientAddress, string keyId);

    /// <summary>A sandboxed run hit a limit (event 5005, warning).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="limit">Which limit (e.g. <c>memory</c>, <c>timeout</c>, <c>processes</c>, <c>output</c>).</param>
    void SandboxLimitBreached(string runId, string limit);

    /// <summary>The sandbox failed to start or to clean up (event 5006, error).</summary>
    /// <param name="runId">The run.</param>
    /// <param name="reason">What failed.</param>
    void SandboxFailure(string runId, string reason);

    /// <summary>A configuration was rejected; the last good one stays in force (event 5007, warning).</summary>
    /// <param name="source">The configuration source (snapshot name).</param>
    /// <param name="errors">Every validation error; they are sanitized and joined with <c>; </c>.</param>
    void ConfigurationRejected(string source, IEnumerable<string> errors);

    /// <summary>A run executed without a sandbox, in development mode (event 5009, warning).</summary>
    /// <param name="runId">The run.</param>
    void UnsandboxedRun(string runId);

    /// <summary>A circuit breaker opened (event 5010, warning).</summary>
    /// <param name="name">The circuit's name.</param>
    void CircuitOpened(string name);
}
