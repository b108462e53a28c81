using Grpc.Core;

namespace Phoenix.Resilience.Errors;

/// <summary>The fixed facts of one <see cref="ErrorKind"/>: how it is presented over HTTP and gRPC.</summary>
/// <param name="Kind">The kind described.</param>
/// <param name="HttpStatus">The HTTP status code answered for this kind.</param>
/// <param name="GrpcStatus">The gRPC status code answered for this kind.</param>
/// <param name="ProblemType">The RFC 9457 <c>type</c> URI.</param>
/// <param name="Title">The RFC 9457 <c>title</c>: short, fixed per kind.</param>
/// <param name="DefaultSeverity">The severity used when an error does not say otherwise.</param>
/// <param name="RetryableByDefault">Whether a caller may retry the same request later.</param>
public sealed record ErrorKindInfo(
    ErrorKind Kind,
    int HttpStatus,
    StatusCode GrpcStatus,
    Uri ProblemType,
    string Title,
    Severity DefaultSeverity,
    bool RetryableByDefault);
