using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Phoenix.Resilience.Errors;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>The two refusals of this feature as problem+json results with <c>Retry-After</c>, built by <see cref="PhoenixProblemDetails"/>.</summary>
internal static class RateLimitProblems
{
    /// <summary>Code of a request over its key's limit (429).</summary>
    public const string RateLimitedCode = "rate_limit.exceeded";

    /// <summary>Code of a run refused because every run slot and queue place is taken (503).</summary>
    public const string RunsExhaustedCode = "capacity.runs_exhausted";

    /// <summary>What a caller refused for capacity is told to wait.</summary>
    public static readonly TimeSpan RunsRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>429 <see cref="ErrorKind.RateLimited"/>, <c>Retry-After</c> = <paramref name="retryAfter"/> rounded up (at least 1 s).</summary>
    public static ProblemHttpResult RateLimited(HttpContext context, TimeSpan retryAfter) =>
        Problem(context, PhoenixError.Create(ErrorKind.RateLimited, RateLimitedCode, "The rate limit of this key is exhausted; retry later.")
            with { RetryAfter = retryAfter });

    /// <summary>503 <see cref="ErrorKind.ResourceExhausted"/>, <c>Retry-After: 1</c>.</summary>
    public static ProblemHttpResult RunsExhausted(HttpContext context) =>
        Problem(context, PhoenixError.Create(ErrorKind.ResourceExhausted, RunsExhaustedCode, "The gateway is running as many commands as it can; retry later.")
            with { RetryAfter = RunsRetryAfter });

    private static ProblemHttpResult Problem(HttpContext context, PhoenixError error)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (PhoenixProblemDetails.RetryAfterSeconds(error) is { } seconds)
        {
            context.Response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(PhoenixProblemDetails.Create(error, instance: context.Request.Path));
    }
}
