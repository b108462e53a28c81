using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Phoenix.Gateway.Tests.RateLimiting;

public sealed class RateLimitingServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddGatewayRateLimiting_InvalidOptions_RefusesToStartListingEveryError()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RateLimitTestApp.StartAsync(new Dictionary<string, string?>
        {
            ["PermitsPerMinute"] = "0",
            ["QueueLimit"] = "-1",
        }));

        Assert.Contains("PermitsPerMinute", error.Message, StringComparison.Ordinal);
        Assert.Contains("QueueLimit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGatewayRateLimiting_RedisWithoutEndpoint_RefusesToStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RateLimitTestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Redis"] = "password=secret-value",
        }));

        Assert.Contains("Redis", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGatewayRateLimiting_UnknownSetting_RefusesToStart()
    {
        await Assert.ThrowsAsync<OptionsValidationException>(() => RateLimitTestApp.StartAsync(new Dictionary<string, string?>
        {
            ["PermitsPerMinut"] = "5",
        }));
    }

    [Fact]
    public async Task AddGatewayRateLimiting_InMemory_StoreHealthy()
    {
        await using var app = await RateLimitTestApp.StartAsync();

        var health = await app.StoreHealthAsync();

        Assert.Equal(HealthStatus.Healthy, health.Status);
    }
}
