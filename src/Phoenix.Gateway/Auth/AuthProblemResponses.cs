using System.Globalization;
using Microsoft.Net.Http.Headers;
using Phoenix.Resilience.Errors;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// The 401, 403 and 429 answers of authentication, all <c>application/problem+json</c> from
/// <see cref="PhoenixProblemDetails"/>. Bodies say only "missing", "invalid" or "expired or disabled": never the key,
/// its hash, or whether a key id exists.
/// </summary>
internal static class AuthProblemResponses
{
    /// <summary>The challenge of both schemes: a client may use either.</summary>
    public const string Challenge = "ApiKey header=\"" + ApiKeyDefaults.HeaderName + "\", Bearer realm=\"phoenix\"";

    /// <summary>The challenge after a bearer token that did not validate (RFC 6750 §3.1).</summary>
    public const string InvalidTokenChallenge = Challenge + ", error=\"invalid_token\"";

    /// <summary>Writes the 401 for the failure recorded on <paramref name="context"/> (none recorded: credentials missing).</summary>
    public static Task WriteChallengeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        var failure = AuthFailure.Get(context);
        var reason = failure?.Reason ?? AuthFailureReason.Missing;
        var error = reason switch
        {
            AuthFailureReason.Missing => PhoenixError.Create(
                ErrorKind.Authentication, "auth.missing", $"Credentials are missing: send the {ApiKeyDefaults.HeaderName} header or a bearer token."),
            AuthFailureReason.ExpiredOrDisabled => PhoenixError.Create(
                ErrorKind.Authentication, "auth.expired_or_disabled", "The credentials are expired or disabled."),
            _ => PhoenixError.Create(ErrorKind.Authentication, "auth.invalid", "The credentials are invalid."),
        };
        context.Response.Headers[HeaderNames.WWWAuthenticate] = failure is { BearerToken: true } ? InvalidTokenChallenge : Challenge;
        return WriteAsync(context, error);
    }

    /// <summary>Writes the 403 of valid credentials that lack the permission.</summary>
    public static Task WriteForbiddenAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Response.HasStarted
            ? Task.CompletedTask
            : WriteAsync(context, PhoenixError.Create(ErrorKind.Authorization, "auth.forbidden", "The credentials lack the permission for this request."));
    }

    /// <summary>Writes the 429 of a client address that failed authentication too often.</summary>
    public static Task WriteThrottledAsync(HttpContext context, TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var error = PhoenixError.Create(ErrorKind.RateLimited, "auth.too_many_failures", "Too many failed authentication attempts from this address; try again later.")
            with { RetryAfter = retryAfter };
        context.Response.Headers[HeaderNames.RetryAfter] = PhoenixProblemDetails.RetryAfterSeconds(error)!.Value.ToString(CultureInfo.InvariantCulture);
        return WriteAsync(context, error);
    }

    private static Task WriteAsync(HttpContext context, PhoenixError error)
    {
        var problem = PhoenixProblemDetails.Create(error, instance: null);
        context.Response.StatusCode = problem.Status ?? error.Info.HttpStatus;
        return TypedResults.Problem(problem).ExecuteAsync(context);
    }
}
