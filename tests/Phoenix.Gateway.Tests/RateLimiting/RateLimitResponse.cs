using System.Globalization;
using System.Text.RegularExpressions;

namespace Phoenix.Gateway.Tests.RateLimiting;

/// <summary>The parsed <c>RateLimit-Policy</c> and <c>RateLimit</c> fields of a response.</summary>
internal sealed partial record RateLimitResponse(int Quota, int Window, int Remaining, int Reset)
{
    public static RateLimitResponse Parse(HttpResponseMessage response)
    {
        var policy = Assert.Single(response.Headers.GetValues("RateLimit-Policy"));
        var state = Assert.Single(response.Headers.GetValues("RateLimit"));
        var p = PolicyPattern().Match(policy);
        var s = StatePattern().Match(state);
        Assert.True(p.Success, $"RateLimit-Policy: {policy}");
        Assert.True(s.Success, $"RateLimit: {state}");
        return new RateLimitResponse(Int(p, "q"), Int(p, "w"), Int(s, "r"), Int(s, "t"));
    }

    private static int Int(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex("""^"per-key";q=(?<q>\d+);w=(?<w>\d+)$""")]
    private static partial Regex PolicyPattern();

    [GeneratedRegex("""^"per-key";r=(?<r>\d+);t=(?<t>\d+)$""")]
    private static partial Regex StatePattern();
}
