using System.Net;
using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.RateLimiting;

namespace Phoenix.Gateway.Tests.RateLimiting;

public sealed class PerKeyRateLimitFilterTests
{
    private static readonly Dictionary<string, string?> FivePerMinute = new() { ["PermitsPerMinute"] = "5" };

    [Fact]
    public async Task InvokeAsync_UnderLimit_SetsPolicyAndStateOnEveryResponse()
    {
        await using var app = await RateLimitTestApp.StartAsync(FivePerMinute);

        for (var expectedRemaining = 4; expectedRemaining >= 0; expectedRemaining--)
        {
            using var response = await app.PingAsync("key-a");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var limit = RateLimitResponse.Parse(response);
            Assert.Equal(5, limit.Quota);
            Assert.Equal(60, limit.Window);
            Assert.Equal(expectedRemaining, limit.Remaining);
            Assert.InRange(limit.Reset, 1, 10); // the next 10 s segment of the sliding window
        }
    }

    [Fact]
    public async Task InvokeAsync_NoConfiguration_Allows100PerMinute()
    {
        await using var app = await RateLimitTestApp.StartAsync();

        using var response = await app.PingAsync("key-a");

        var limit = RateLimitResponse.Parse(response);
        Assert.Equal(100, limit.Quota);
        Assert.Equal(99, limit.Remaining);
    }

    [Fact]
    public async Task InvokeAsync_OverLimit_Returns429ProblemWithRetryAfterAndSecurityEvent()
    {
        await using var app = await RateLimitTestApp.StartAsync(FivePerMinute);
        for (var i = 0; i < 5; i++)
        {
            using var allowed = await app.PingAsync("key-a");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var response = await app.PingAsync("key-a");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = Assert.Single(response.Headers.GetValues("Retry-After"));
        Assert.InRange(int.Parse(retryAfter, System.Globalization.CultureInfo.InvariantCulture), 1, 10);
        var limit = RateLimitResponse.Parse(response);
        Assert.Equal(5, limit.Quota);
        Assert.Equal(0, limit.Remaining);
        Assert.Equal(retryAfter, limit.Reset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var problem = await RateLimitTestApp.ProblemAsync(response);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal("urn:phoenix:problem:rate-limited", problem.GetProperty("type").GetString());
        Assert.Equal(RateLimitProblems.RateLimitedCode, problem.GetProperty("code").GetString());
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        var (address, keyId) = Assert.Single(app.SecurityEvents.RateLimitedEvents);
        Assert.Equal("key-a", keyId);
        Assert.Equal("127.0.0.1", address);
    }

    [Fact]
    public async Task InvokeAsync_OneKeyExhausted_OtherKeyStillServed()
    {
        await using var app = await RateLimitTestApp.StartAsync(FivePerMinute);
        for (var i = 0; i < 6; i++)
        {
            (await app.PingAsync("key-a")).Dispose();
        }

        using var exhausted = await app.PingAsync("key-a");
        using var other = await app.PingAsync("key-b");

        Assert.Equal(HttpStatusCode.TooManyRequests, exhausted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(4, RateLimitResponse.Parse(other).Remaining);
    }

    [Fact]
    public async Task InvokeAsync_OwnLimitClaimBelowDefault_EnforcesOwnLimit()
    {
        await using var app = await RateLimitTestApp.StartAsync(FivePerMinute);

        using var first = await app.PingAsync("small", ownLimit: 2);
        using var second = await app.PingAsync("small", ownLimit: 2);
        using var third = await app.PingAsync("small", ownLimit: 2);

        Assert.Equal(2, RateLimitResponse.Parse(first).Quota);
        Assert.Equal(1, RateLimitResponse.Parse(first).Remaining);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_OwnLimitClaimAboveDefault_AllowsMoreThanDefault()
    {
        await using var app = await RateLimitTestApp.StartAsync(FivePerMinute);
        for (var i = 0; i < 7; i++)
        {
            using var allowed = await app.PingAsync("big", ownLimit: 8);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var eighth = await app.PingAsync("big", ownLimit: 8);
        using var ninth = await app.PingAsync("big", ownLimit: 8);

        Assert.Equal(HttpStatusCode.OK, eighth.StatusCode);
        Assert.Equal(8, RateLimitResponse.Parse(eighth).Quota);
        Assert.Equal(HttpStatusCode.TooManyRequests, ninth.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_DefaultLimitReloaded_AppliesNewLimit()
    {
        await using var app = await RateLimitTestApp.StartAsync(FivePerMinute);
        using (var before = await app.PingAsync("key-a"))
        {
            Assert.Equal(5, RateLimitResponse.Parse(before).Quota);
        }

        app.App.Configuration[$"{RateLimitingOptions.SectionName}:PermitsPerMinute"] = "3";
        ((IConfigurationRoot)app.App.Configuration).Reload();
        using var after = await app.PingAsync("key-a");

        var limit = RateLimitResponse.Parse(after);
        Assert.Equal(3, limit.Quota);
        Assert.Equal(2, limit.Remaining);
    }

    [Fact]
    public async Task InvokeAsync_Unauthenticated_NotCountedAndNoHeaders()
    {
        await using var app = await RateLimitTestApp.StartAsync(FivePerMinute);

        using var response = await app.Client.GetAsync("/limited/ping");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("RateLimit"));
        Assert.Empty(app.SecurityEvents.RateLimitedEvents);
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData("1000", 1000)]
    [InlineData("0", null)]
    [InlineData("-3", null)]
    [InlineData(" 5", null)]
    [InlineData("five", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void OwnLimit_Claim_ParsesPositiveIntegersOnly(string? claim, int? expected)
    {
        var claims = new List<Claim> { new(PhoenixClaims.KeyId, "k") };
        if (claim is not null)
        {
            claims.Add(new Claim(PhoenixClaims.RateLimit, claim));
        }

        Assert.Equal(expected, PerKeyRateLimitFilter.OwnLimit(new ClaimsPrincipal(new ClaimsIdentity(claims, "test"))));
    }
}
