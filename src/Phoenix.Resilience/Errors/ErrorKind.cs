namespace Phoenix.Resilience.Errors;

/// <summary>
/// What went wrong, from the caller's point of view. Each kind maps to exactly one HTTP status,
/// one gRPC status and one problem type (see <see cref="ErrorKinds"/>).
/// </summary>
public enum ErrorKind
{
    /// <summary>The request is malformed or violates the schema (HTTP 400).</summary>
    Validation,

    /// <summary>No credentials, or credentials that are not valid (HTTP 401).</summary>
    Authentication,

    /// <summary>Valid credentials that lack the permission (HTTP 403).</summary>
    Authorization,

    /// <summary>The request is well formed but the policy forbids it, e.g. a command not on the allowlist (HTTP 403).</summary>
    PolicyViolation,

    /// <summary>The resource does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>The request conflicts with the current state (HTTP 409).</summary>
    Conflict,

    /// <summary>The caller exceeded its rate limit (HTTP 429).</summary>
    RateLimited,

    /// <summary>The body is larger than allowed (HTTP 413).</summary>
    PayloadTooLarge,

    /// <summary>The content type is not supported (HTTP 415).</summary>
    UnsupportedMediaType,

    /// <summary>A downstream did not answer in time (HTTP 504).</summary>
    Timeout,

    /// <summary>A dependency is down or a circuit is open (HTTP 503).</summary>
    Unavailable,

    /// <summary>Capacity is exhausted: queues full, no executor can take the run (HTTP 503).</summary>
    ResourceExhausted,

    /// <summary>The sandbox itself failed; the command did not run (HTTP 502).</summary>
    SandboxFailure,

    /// <summary>A bug or an unexpected I/O failure (HTTP 500). Never carries internal detail to the caller.</summary>
    Internal,
}
