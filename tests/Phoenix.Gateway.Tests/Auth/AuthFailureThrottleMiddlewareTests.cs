using System.Net;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;
using Phoenix.Resilience.Security;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class AuthFailureThrottleMiddlewareTests : IDisposable
{
    private readonly AuthKeysDirectory _keys = new();
    private readonly string _key = ApiKeys.Generate();

    public AuthFailureThrottleMiddlewareTests() => _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute"));

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Invoke_MoreThanLimitFailures_Returns429WithRetryAfterEvenForAValidKey()
    {
        var settings = new Dictionary<string, string?> { ["Phoenix:Gateway:Auth:FailureLimit"] = "3", ["Phoenix:Gateway:Auth:FailureWindow"] = "00:05:00" };
        await using var host = await AuthTestHost.StartAsync(_keys, settings);

        for (var i = 0; i < 3; i++)
        {
            using var failed = await host.GetAsync("/execute", ApiKeys.Generate());
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var throttled = await host.GetAsync("/execute", _key);
        using var bearer = await host.GetAsync("/execute", bearer: "x.y.z");
        using var anonymous = await host.GetAsync("/health");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var retryAfter = throttled.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        var problem = await AuthTestHost.ProblemAsync(throttled);
        Assert.Equal("urn:phoenix:problem:rate-limited", problem.GetProperty("type").GetString());
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.TooManyRequests, bearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Contains(host.Logs.Logs, l => l.Category == SecurityEventIds.Category && l.EventId.Id == SecurityEventIds.RateLimited.Id);
        host.AssertNeverNamed(_key, await throttled.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invoke_FailuresBelowLimit_DoNotBlock()
    {
        var settings = new Dictionary<string, string?> { ["Phoenix:Gateway:Auth:FailureLimit"] = "3" };
        await using var host = await AuthTestHost.StartAsync(_keys, settings);

        for (var i = 0; i < 2; i++)
        {
            using var failed = await host.GetAsync("/execute");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var ok = await host.GetAsync("/execute", _key);
        using var forbidden = await host.GetAsync("/admin", _key);
        using var stillOk = await host.GetAsync("/execute", _key);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal(HttpStatusCode.OK, stillOk.StatusCode);
    }
}
