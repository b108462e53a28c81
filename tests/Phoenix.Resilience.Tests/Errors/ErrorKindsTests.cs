using Grpc.Core;
using Phoenix.Resilience.Errors;

namespace Phoenix.Resilience.Tests.Errors;

public sealed class ErrorKindsTests
{
    public static TheoryData<ErrorKind, int, StatusCode, string> Table => new()
    {
        { ErrorKind.Validation, 400, StatusCode.InvalidArgument, "urn:phoenix:problem:validation" },
        { ErrorKind.Authentication, 401, StatusCode.Unauthenticated, "urn:phoenix:problem:authentication" },
        { ErrorKind.Authorization, 403, StatusCode.PermissionDenied, "urn:phoenix:problem:authorization" },
        { ErrorKind.PolicyViolation, 403, StatusCode.PermissionDenied, "urn:phoenix:problem:policy-violation" },
        { ErrorKind.NotFound, 404, StatusCode.NotFound, "urn:phoenix:problem:not-found" },
        { ErrorKind.Conflict, 409, StatusCode.Aborted, "urn:phoenix:problem:conflict" },
        { ErrorKind.RateLimited, 429, StatusCode.ResourceExhausted, "urn:phoenix:problem:rate-limited" },
        { ErrorKind.PayloadTooLarge, 413, StatusCode.InvalidArgument, "urn:phoenix:problem:payload-too-large" },
        { ErrorKind.UnsupportedMediaType, 415, StatusCode.InvalidArgument, "urn:phoenix:problem:unsupported-media-type" },
        { ErrorKind.Timeout, 504, StatusCode.DeadlineExceeded, "urn:phoenix:problem:timeout" },
        { ErrorKind.Unavailable, 503, StatusCode.Unavailable, "urn:phoenix:problem:unavailable" },
        { ErrorKind.ResourceExhausted, 503, StatusCode.ResourceExhausted, "urn:phoenix:problem:resource-exhausted" },
        { ErrorKind.SandboxFailure, 502, StatusCode.Internal, "urn:phoenix:problem:sandbox-failure" },
        { ErrorKind.Internal, 500, StatusCode.Internal, "urn:phoenix:problem:internal" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Describe_EachKind_MapsToDocumentedStatuses(ErrorKind kind, int http, StatusCode grpc, string type)
    {
        Assert.Equal(http, kind.ToHttpStatus());
        Assert.Equal(grpc, kind.ToGrpcStatus());
        Assert.Equal(type, kind.ToProblemType().ToString());
    }

    [Fact]
    public void All_EveryDeclaredKind_HasExactlyOneRowAndDistinctProblemType()
    {
        var rows = ErrorKinds.All.ToArray();
        Assert.Equal(Enum.GetValues<ErrorKind>(), rows.Select(r => r.Kind));
        Assert.Equal(rows.Length, rows.Select(r => r.ProblemType).Distinct().Count());
        Assert.Equal(Table.Count, rows.Length);
    }

    [Fact]
    public void Describe_UndeclaredValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ErrorKinds.Describe((ErrorKind)999));
    }

    [Theory]
    [InlineData(StatusCode.Unavailable, ErrorKind.Unavailable)]
    [InlineData(StatusCode.ResourceExhausted, ErrorKind.ResourceExhausted)]
    [InlineData(StatusCode.DeadlineExceeded, ErrorKind.Timeout)]
    [InlineData(StatusCode.PermissionDenied, ErrorKind.PolicyViolation)]
    [InlineData(StatusCode.InvalidArgument, ErrorKind.Validation)]
    [InlineData(StatusCode.Unknown, ErrorKind.Internal)]
    [InlineData(StatusCode.DataLoss, ErrorKind.Internal)]
    public void FromGrpcStatus_DownstreamStatus_MapsToCallerFacingKind(StatusCode status, ErrorKind expected)
    {
        Assert.Equal(expected, ErrorKinds.FromGrpcStatus(status));
    }

    [Theory]
    [InlineData(ErrorKind.RateLimited, true)]
    [InlineData(ErrorKind.Unavailable, true)]
    [InlineData(ErrorKind.Timeout, true)]
    [InlineData(ErrorKind.Validation, false)]
    [InlineData(ErrorKind.PolicyViolation, false)]
    [InlineData(ErrorKind.Internal, false)]
    public void Create_Kind_TakesRetryabilityAndSeverityFromTable(ErrorKind kind, bool retryable)
    {
        var error = PhoenixError.Create(kind, "test.code", "message");

        Assert.Equal(retryable, error.Retryable);
        Assert.Equal(ErrorKinds.Describe(kind).DefaultSeverity, error.Severity);
    }
}
