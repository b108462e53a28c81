using System.Net;
using Phoenix.Gateway.RateLimiting;

namespace Phoenix.Gateway.Tests.RateLimiting;

public sealed class RunAdmissionFilterTests
{
    [Fact]
    public async Task InvokeAsync_AllSlotsHeldAndNoQueue_Returns503WithRetryAfter()
    {
        await using var app = await RateLimitTestApp.StartAsync(new Dictionary<string, string?>
        {
            ["MaxConcurrentRuns"] = "2",
            ["QueueLimit"] = "0",
        });
        var held = new[] { app.Client.GetAsync("/run"), app.Client.GetAsync("/run") };
        await app.Gate.WhenEnteredAsync(2);

        using var refused = await app.Client.GetAsync("/run");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("1", Assert.Single(refused.Headers.GetValues("Retry-After")));
        var problem = await RateLimitTestApp.ProblemAsync(refused);
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal("urn:phoenix:problem:resource-exhausted", problem.GetProperty("type").GetString());
        Assert.Equal(RateLimitProblems.RunsExhaustedCode, problem.GetProperty("code").GetString());
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());

        app.Gate.Open();
        foreach (var response in await Task.WhenAll(held))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        using var afterwards = await app.Client.GetAsync("/run");
        Assert.Equal(HttpStatusCode.OK, afterwards.StatusCode);
    }

    [Fact]
    public async Task InvokeAsync_SlotFree_RunsHandler()
    {
        await using var app = await RateLimitTestApp.StartAsync();
        app.Gate.Open();

        using var response = await app.Client.GetAsync("/run");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("done", await response.Content.ReadAsStringAsync());
    }
}
