using System.Globalization;
using Grpc.Core;
using Phoenix.Contracts.Executor;
using Phoenix.Resilience.Errors;

namespace Phoenix.Gateway.Errors;

/// <summary>Every gateway error leaves through here: a <see cref="PhoenixError"/> becomes problem+json (with traceId and Retry-After).</summary>
internal static class GatewayProblems
{
    public static IResult Problem(HttpContext context, PhoenixError error)
    {
        if (PhoenixProblemDetails.RetryAfterSeconds(error) is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var problem = PhoenixProblemDetails.Create(error, instance: context.Request.Path);
        return TypedResults.Problem(problem);
    }

    public static IResult Validation(HttpContext context, Dictionary<string, string[]> errors) =>
        Problem(context, PhoenixError.Validation(errors));

    /// <summary>What an executor's refusal or failure means for the caller.</summary>
    public static PhoenixError FromExecutor(RpcException exception)
    {
        if (exception.Trailers.Get("phoenix-violations-bin") is { IsBinary: true } entry)
        {
            var violations = ValidateResponse.Parser.ParseFrom(entry.ValueBytes).Violations;
            var errors = violations.GroupBy(v => v.Field, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(v => v.Message).ToArray(), StringComparer.Ordinal);
            var forbidden = exception.StatusCode == StatusCode.PermissionDenied;
            var code = violations.FirstOrDefault()?.Code ?? (forbidden ? "policy.violation" : "request.invalid");
            return PhoenixError.Create(
                forbidden ? ErrorKind.PolicyViolation : ErrorKind.Validation,
                code,
                forbidden ? "The request is not allowed by policy." : "One or more fields are not valid.") with { FieldErrors = errors };
        }

        return exception.StatusCode switch
        {
            StatusCode.ResourceExhausted => PhoenixError.Create(ErrorKind.ResourceExhausted, "executor.busy", "No executor can take the run now; try again shortly.")
                with { RetryAfter = TimeSpan.FromSeconds(1) },
            StatusCode.DeadlineExceeded => PhoenixError.Create(ErrorKind.Timeout, "executor.timeout", "The executor did not answer in time."),
            StatusCode.Cancelled => PhoenixError.Create(ErrorKind.Unavailable, "request.cancelled", "The request was cancelled."),
            _ => PhoenixError.Create(ErrorKind.Unavailable, "executor.unavailable", "The executor is unavailable; try again shortly.", exception.Status.Detail)
                with { RetryAfter = TimeSpan.FromSeconds(1) },
        };
    }

    public static PhoenixError NoExecutor() =>
        PhoenixError.Create(ErrorKind.Unavailable, "executor.none_available", "No executor can take the run now; try again shortly.")
            with { RetryAfter = TimeSpan.FromSeconds(2) };
}
