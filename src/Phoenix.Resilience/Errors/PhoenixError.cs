using System.Collections.Frozen;

namespace Phoenix.Resilience.Errors;

/// <summary>
/// One error, as Phoenix reports it: a kind, a stable machine-readable code, a message that is safe
/// to show the caller, detail that is only for logs, and whether retrying can help.
/// Domain failures travel as values of this type; <see cref="PhoenixException"/> carries one across
/// layers that only speak exceptions.
/// </summary>
public sealed record PhoenixError
{
    private static readonly IReadOnlyDictionary<string, string> NoAttributes = FrozenDictionary<string, string>.Empty;

    /// <summary>What went wrong; decides the HTTP and gRPC status.</summary>
    public required ErrorKind Kind { get; init; }

    /// <summary>A stable code for machines, e.g. <c>policy.command_not_allowed</c>. Never changes once published.</summary>
    public required string Code { get; init; }

    /// <summary>The message shown to the caller. It is sanitized again when presented, but should be safe as written.</summary>
    public required string PublicMessage { get; init; }

    /// <summary>Detail for logs only (exception text, host paths). Never presented to a caller.</summary>
    public string? InternalDetail { get; init; }

    /// <summary>How bad this is for the service. Defaults to the kind's <see cref="ErrorKindInfo.DefaultSeverity"/>.</summary>
    public Severity Severity { get; init; }

    /// <summary>Whether the same request may succeed if sent again later. Defaults from the kind.</summary>
    public bool Retryable { get; init; }

    /// <summary>When a retry makes sense, if known (becomes <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Field-level messages for <see cref="ErrorKind.Validation"/> and <see cref="ErrorKind.PolicyViolation"/> (field → messages).</summary>
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }

    /// <summary>Extra low-cardinality facts (component, executor name). Logged, not presented.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = NoAttributes;

    /// <summary>The facts of <see cref="Kind"/>.</summary>
    public ErrorKindInfo Info => ErrorKinds.Describe(Kind);

    /// <summary>Creates an error whose severity and retryability are the defaults of <paramref name="kind"/>.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="code">Stable machine-readable code.</param>
    /// <param name="publicMessage">Message safe to show the caller.</param>
    /// <param name="internalDetail">Detail for logs only.</param>
    public static PhoenixError Create(ErrorKind kind, string code, string publicMessage, string? internalDetail = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        ArgumentNullException.ThrowIfNull(publicMessage);
        var info = ErrorKinds.Describe(kind);
        return new PhoenixError
        {
            Kind = kind,
            Code = code,
            PublicMessage = publicMessage,
            InternalDetail = internalDetail,
            Severity = info.DefaultSeverity,
            Retryable = info.RetryableByDefault,
        };
    }

    /// <summary>A validation error with one or more field-level messages.</summary>
    public static PhoenixError Validation(IReadOnlyDictionary<string, string[]> fieldErrors, string code = "request.invalid") =>
        Create(ErrorKind.Validation, code, "One or more fields are not valid.") with { FieldErrors = fieldErrors };
}
