using System.Collections.Frozen;
using Grpc.Core;

namespace Phoenix.Resilience.Errors;

/// <summary>
/// The one mapping from <see cref="ErrorKind"/> to HTTP status, gRPC status and problem type.
/// Every service presents errors through this table; nothing else decides a status code.
/// </summary>
public static class ErrorKinds
{
    /// <summary>The prefix of every problem <c>type</c> URI.</summary>
    public const string ProblemTypePrefix = "urn:phoenix:problem:";

    private static readonly FrozenDictionary<ErrorKind, ErrorKindInfo> Table = new ErrorKindInfo[]
    {
        Row(ErrorKind.Validation, 400, StatusCode.InvalidArgument, "validation", "The request is not valid.", Severity.Low, false),
        Row(ErrorKind.Authentication, 401, StatusCode.Unauthenticated, "authentication", "Authentication is required.", Severity.Low, false),
        Row(ErrorKind.Authorization, 403, StatusCode.PermissionDenied, "authorization", "The credentials lack the permission.", Severity.Low, false),
        Row(ErrorKind.PolicyViolation, 403, StatusCode.PermissionDenied, "policy-violation", "The request is not allowed by policy.", Severity.Medium, false),
        Row(ErrorKind.NotFound, 404, StatusCode.NotFound, "not-found", "The resource was not found.", Severity.Low, false),
        Row(ErrorKind.Conflict, 409, StatusCode.Aborted, "conflict", "The request conflicts with the current state.", Severity.Low, false),
        Row(ErrorKind.RateLimited, 429, StatusCode.ResourceExhausted, "rate-limited", "Too many requests.", Severity.Low, true),
        Row(ErrorKind.PayloadTooLarge, 413, StatusCode.InvalidArgument, "payload-too-large", "The request body is too large.", Severity.Low, false),
        Row(ErrorKind.UnsupportedMediaType, 415, StatusCode.InvalidArgument, "unsupported-media-type", "The content type is not supported.", Severity.Low, false),
        Row(ErrorKind.Timeout, 504, StatusCode.DeadlineExceeded, "timeout", "The operation did not finish in time.", Severity.High, true),
        Row(ErrorKind.Unavailable, 503, StatusCode.Unavailable, "unavailable", "The service is unavailable.", Severity.High, true),
        Row(ErrorKind.ResourceExhausted, 503, StatusCode.ResourceExhausted, "resource-exhausted", "No capacity is available.", Severity.Medium, true),
        Row(ErrorKind.SandboxFailure, 502, StatusCode.Internal, "sandbox-failure", "The sandbox failed; the command did not run.", Severity.High, false),
        Row(ErrorKind.Internal, 500, StatusCode.Internal, "internal", "An internal error occurred.", Severity.Critical, false),
    }.ToFrozenDictionary(info => info.Kind);

    /// <summary>Every kind with its facts, in declaration order.</summary>
    public static IEnumerable<ErrorKindInfo> All => Enum.GetValues<ErrorKind>().Select(Describe);

    /// <summary>The facts of <paramref name="kind"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a declared <see cref="ErrorKind"/>.</exception>
    public static ErrorKindInfo Describe(ErrorKind kind) =>
        Table.TryGetValue(kind, out var info) ? info : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown error kind.");

    /// <summary>The HTTP status answered for <paramref name="kind"/>.</summary>
    public static int ToHttpStatus(this ErrorKind kind) => Describe(kind).HttpStatus;

    /// <summary>The gRPC status answered for <paramref name="kind"/>.</summary>
    public static StatusCode ToGrpcStatus(this ErrorKind kind) => Describe(kind).GrpcStatus;

    /// <summary>The problem <c>type</c> URI of <paramref name="kind"/>.</summary>
    public static Uri ToProblemType(this ErrorKind kind) => Describe(kind).ProblemType;

    /// <summary>
    /// The kind a gRPC status received from a downstream maps back to. Several kinds share a
    /// gRPC status, so this picks the one a caller of the gateway should see.
    /// </summary>
    public static ErrorKind FromGrpcStatus(StatusCode status) => status switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange or StatusCode.FailedPrecondition => ErrorKind.Validation,
        StatusCode.Unauthenticated => ErrorKind.Authentication,
        StatusCode.PermissionDenied => ErrorKind.PolicyViolation,
        StatusCode.NotFound => ErrorKind.NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => ErrorKind.Conflict,
        StatusCode.ResourceExhausted => ErrorKind.ResourceExhausted,
        StatusCode.DeadlineExceeded => ErrorKind.Timeout,
        StatusCode.Unavailable or StatusCode.Cancelled => ErrorKind.Unavailable,
        _ => ErrorKind.Internal,
    };

    private static ErrorKindInfo Row(ErrorKind kind, int http, StatusCode grpc, string slug, string title, Severity severity, bool retryable) =>
        new(kind, http, grpc, new Uri(ProblemTypePrefix + slug), title, severity, retryable);
}
