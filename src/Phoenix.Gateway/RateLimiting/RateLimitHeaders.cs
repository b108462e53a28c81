using System.Globalization;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// The header fields of draft-ietf-httpapi-ratelimit-headers in their structured-field form:
/// <c>RateLimit-Policy: "per-key";q=100;w=60</c> and <c>RateLimit: "per-key";r=99;t=10</c>.
/// </summary>
internal static class RateLimitHeaders
{
    /// <summary>The quota policy field.</summary>
    public const string PolicyHeader = "RateLimit-Policy";

    /// <summary>The current quota field.</summary>
    public const string StateHeader = "RateLimit";

    /// <summary>The policy's name (an sf-string item).</summary>
    public const string PolicyName = "per-key";

    /// <summary>Sets both fields from <paramref name="decision"/>.</summary>
    public static void Apply(HttpResponse response, RateLimitDecision decision)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers[PolicyHeader] = FormatPolicy(decision.Limit);
        response.Headers[StateHeader] = FormatState(decision.Remaining, Seconds(decision.ResetAfter, minimum: 0));
    }

    /// <summary><c>"per-key";q={limit};w=60</c>.</summary>
    public static string FormatPolicy(int limit) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{PolicyName}\";q={limit};w={(int)RateLimitingOptions.Window.TotalSeconds}");

    /// <summary><c>"per-key";r={remaining};t={seconds}</c>.</summary>
    public static string FormatState(int remaining, int resetSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{PolicyName}\";r={Math.Max(0, remaining)};t={resetSeconds}");

    /// <summary>Whole seconds, rounded up, at least <paramref name="minimum"/>.</summary>
    public static int Seconds(TimeSpan span, int minimum) =>
        (int)Math.Max(minimum, Math.Ceiling(span.TotalSeconds));
}
