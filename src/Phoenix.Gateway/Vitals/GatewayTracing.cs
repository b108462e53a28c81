using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.RateLimiting;

namespace Phoenix.Gateway.Vitals;

/// <summary>
/// What the gateway records on the HTTP server span of an API request, one span event per step in the order they run:
/// <list type="bullet">
/// <item><c>phoenix.auth</c>: <c>phoenix.auth.outcome</c> (<c>authorized</c>, <c>unauthenticated</c>, <c>forbidden</c>),
/// <c>phoenix.auth.key_id</c> when known, <c>phoenix.auth.reason</c> (<c>missing</c>, <c>invalid</c>,
/// <c>expired_or_disabled</c>) or <c>phoenix.auth.permission</c> (the one missing);</item>
/// <item><c>phoenix.rate_limit</c>: <c>phoenix.rate_limit.outcome</c> (<c>allowed</c>, <c>rejected</c>),
/// <c>phoenix.rate_limit.limit</c> (per minute), <c>phoenix.rate_limit.remaining</c>;</item>
/// <item><c>phoenix.validation</c>: <c>phoenix.validation.outcome</c> (<c>valid</c>, <c>invalid</c>),
/// <c>phoenix.validation.error_count</c> (fields in error);</item>
/// <item><c>phoenix.admission</c>: <c>phoenix.admission.outcome</c> (<c>admitted</c>, <c>exhausted</c>).</item>
/// </list>
/// The span itself gets <c>phoenix.auth.key_id</c> and, once a run is accepted, <c>phoenix.run.id</c>. Never a
/// credential, nor anything of the request body: arguments, stdin, environment and files may hold secrets.
/// </summary>
internal static class GatewayTracing
{
    public const string AuthEvent = "phoenix.auth";
    public const string RateLimitEvent = "phoenix.rate_limit";
    public const string ValidationEvent = "phoenix.validation";
    public const string AdmissionEvent = "phoenix.admission";
    public const string KeyIdTag = "phoenix.auth.key_id";
    public const string RunIdTag = "phoenix.run.id";

    /// <summary>The request was authenticated and holds the permission its endpoint needs.</summary>
    public static void Authorized(HttpContext context, string? keyId)
    {
        if (SpanOf(context) is not { } span)
        {
            return;
        }

        span.SetTag(KeyIdTag, keyId);
        span.AddEvent(new ActivityEvent(AuthEvent, tags: new ActivityTagsCollection
        {
            ["phoenix.auth.outcome"] = "authorized",
            [KeyIdTag] = keyId,
        }));
    }

    /// <summary>The request was answered 401.</summary>
    public static void Unauthenticated(HttpContext context, AuthFailure failure)
    {
        if (SpanOf(context) is not { } span)
        {
            return;
        }

        var reason = failure.Reason switch
        {
            AuthFailureReason.Missing => "missing",
            AuthFailureReason.ExpiredOrDisabled => "expired_or_disabled",
            _ => "invalid",
        };
        span.AddEvent(new ActivityEvent(AuthEvent, tags: new ActivityTagsCollection
        {
            ["phoenix.auth.outcome"] = "unauthenticated",
            ["phoenix.auth.reason"] = reason,
            [KeyIdTag] = failure.KeyId,
        }));
    }

    /// <summary>The request was answered 403: its key lacks <paramref name="permission"/>.</summary>
    public static void Forbidden(HttpContext context, string keyId, string permission)
    {
        if (SpanOf(context) is not { } span)
        {
            return;
        }

        span.SetTag(KeyIdTag, keyId);
        span.AddEvent(new ActivityEvent(AuthEvent, tags: new ActivityTagsCollection
        {
            ["phoenix.auth.outcome"] = "forbidden",
            [KeyIdTag] = keyId,
            ["phoenix.auth.permission"] = permission,
        }));
    }

    /// <summary>The per-key rate limit decided.</summary>
    public static void RateLimit(HttpContext context, RateLimitDecision decision) =>
        SpanOf(context)?.AddEvent(new ActivityEvent(RateLimitEvent, tags: new ActivityTagsCollection
        {
            ["phoenix.rate_limit.outcome"] = decision.IsAllowed ? "allowed" : "rejected",
            ["phoenix.rate_limit.limit"] = decision.Limit,
            ["phoenix.rate_limit.remaining"] = decision.Remaining,
        }));

    /// <summary>The body was read and checked against the schema (<paramref name="fieldErrors"/>: fields in error).</summary>
    public static void Validation(HttpContext context, bool valid, int fieldErrors) =>
        SpanOf(context)?.AddEvent(new ActivityEvent(ValidationEvent, tags: new ActivityTagsCollection
        {
            ["phoenix.validation.outcome"] = valid ? "valid" : "invalid",
            ["phoenix.validation.error_count"] = fieldErrors,
        }));

    /// <summary>The global run admission decided.</summary>
    public static void Admission(HttpContext context, bool admitted) =>
        SpanOf(context)?.AddEvent(new ActivityEvent(AdmissionEvent, tags: new ActivityTagsCollection
        {
            ["phoenix.admission.outcome"] = admitted ? "admitted" : "exhausted",
        }));

    /// <summary>The run was accepted (and audited) under <paramref name="runId"/>.</summary>
    public static void Accepted(HttpContext context, string runId) => SpanOf(context)?.SetTag(RunIdTag, runId);

    /// <summary>The request's server span, when it is recorded.</summary>
    private static Activity? SpanOf(HttpContext context) =>
        context.Features.Get<IHttpActivityFeature>()?.Activity is { IsAllDataRequested: true } activity ? activity : null;
}
