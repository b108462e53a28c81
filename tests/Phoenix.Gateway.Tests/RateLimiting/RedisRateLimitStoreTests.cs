using System.Globalization;
using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Phoenix.Gateway.Tests.RateLimiting;

/// <summary>Against a real redis-server started per test (see <see cref="RedisServerProcess"/>).</summary>
public sealed class RedisRateLimitStoreTests
{
    [Fact]
    public async Task AcquireAsync_TwoGatewaysShareRedis_ShareOneLimit()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        var settings = Settings(redis.ConnectionString, limit: 5);
        await using var gatewayA = await RateLimitTestApp.StartAsync(settings);
        await using var gatewayB = await RateLimitTestApp.StartAsync(settings);
        var key = "shared-" + Guid.NewGuid().ToString("N");

        var remaining = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await gatewayA.PingAsync(key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            remaining.Add(RateLimitResponse.Parse(response).Remaining);
        }

        for (var i = 0; i < 2; i++)
        {
            using var response = await gatewayB.PingAsync(key);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            remaining.Add(RateLimitResponse.Parse(response).Remaining);
        }

        using var sixth = await gatewayB.PingAsync(key);

        Assert.Equal([4, 3, 2, 1, 0], remaining);
        Assert.Equal(HttpStatusCode.TooManyRequests, sixth.StatusCode);
        var retryAfter = int.Parse(Assert.Single(sixth.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        var limit = RateLimitResponse.Parse(sixth);
        Assert.Equal((5, 60, 0), (limit.Quota, limit.Window, limit.Remaining));
        Assert.Equal(HealthStatus.Healthy, (await gatewayA.StoreHealthAsync()).Status);
        var (_, keyId) = Assert.Single(gatewayB.SecurityEvents.RateLimitedEvents);
        Assert.Equal(key, keyId);
    }

    [Fact]
    public async Task AcquireAsync_FirstRequest_ResetIsTheWholeWindow()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var gateway = await RateLimitTestApp.StartAsync(Settings(redis.ConnectionString, limit: 5));

        using var response = await gateway.PingAsync("fresh-" + Guid.NewGuid().ToString("N"));

        var limit = RateLimitResponse.Parse(response);
        Assert.Equal(4, limit.Remaining);
        Assert.InRange(limit.Reset, 59, 60);
    }

    [Fact]
    public async Task AcquireAsync_OwnLimitClaim_AppliesInRedis()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var gateway = await RateLimitTestApp.StartAsync(Settings(redis.ConnectionString, limit: 5));
        var key = "own-" + Guid.NewGuid().ToString("N");

        using var first = await gateway.PingAsync(key, ownLimit: 1);
        using var second = await gateway.PingAsync(key, ownLimit: 1);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, RateLimitResponse.Parse(first).Quota);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }

    [Fact]
    public async Task AcquireAsync_RedisKilled_LimitsPerReplicaInMemoryAndHealthDegraded()
    {
        await using var redis = await RedisServerProcess.StartAsync();
        await using var gateway = await RateLimitTestApp.StartAsync(Settings(redis.ConnectionString, limit: 2));
        var key = "outage-" + Guid.NewGuid().ToString("N");
        using (var beforeOutage = await gateway.PingAsync(key))
        {
            Assert.Equal(HttpStatusCode.OK, beforeOutage.StatusCode);
        }

        Assert.Equal(HealthStatus.Healthy, (await gateway.StoreHealthAsync()).Status);

        await redis.KillAsync();

        // Fail to local: the API stays up and the key's limit still holds, counted afresh in this replica.
        using var first = await gateway.PingAsync(key);
        using var second = await gateway.PingAsync(key);
        using var third = await gateway.PingAsync(key);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1, RateLimitResponse.Parse(first).Remaining);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        var health = await gateway.StoreHealthAsync();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("unreachable", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_RedisUnreachable_StartsWithInMemoryLimitsAndHealthDegraded()
    {
        var nothingListens = RedisServerProcess.Connection(RedisServerProcess.FreePort());
        await using var gateway = await RateLimitTestApp.StartAsync(Settings(nothingListens, limit: 1));

        using var first = await gateway.PingAsync("down-at-start");
        using var second = await gateway.PingAsync("down-at-start");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal(HealthStatus.Degraded, (await gateway.StoreHealthAsync()).Status);
    }

    private static Dictionary<string, string?> Settings(string redis, int limit) => new()
    {
        ["Redis"] = redis,
        ["PermitsPerMinute"] = limit.ToString(CultureInfo.InvariantCulture),
    };
}
