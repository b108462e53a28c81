using System.Net;
using System.Runtime.Versioning;
using Phoenix.Gateway.Tests.Support;
using Polly.CircuitBreaker;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>Executors going away and coming back: runs move to the ones that are up, health follows, and a restarted executor is used again.</summary>
[SupportedOSPlatform("linux")]
[Collection("Forwarding")]
public sealed class ExecutorFailoverTests
{
    private const string Quick = """{"command":"true"}""";

    [Fact]
    public async Task Execute_OneExecutorStopped_RunsSucceedOnTheOtherAndHealthIsDegraded()
    {
        await using var stack = await ForwardingStack.StartAsync();
        var (up, down) = (stack.Executors[0], stack.Executors[1]);
        await down.StopAsync();

        for (var i = 0; i < 6; i++)
        {
            var run = await stack.ExecuteAsync(Quick);
            Assert.True(run.Code == HttpStatusCode.OK && run.Status == "succeeded", run.ToString());
            Assert.Equal(up.Name, run.Executor);
        }

        Assert.Equal(6, stack.Counter.Runs(up.Name));
        Assert.Equal(0, stack.Counter.Runs(down.Name));
        await Eventually.TrueAsync(async () =>
        {
            var health = await stack.HealthAsync();
            return health is { Code: HttpStatusCode.OK, Status: "DEGRADED" }
                && health.Dependencies["executor:" + down.Name].Status == "down"
                && health.Dependencies["executor:" + up.Name].Status == "up";
        });
    }

    [Fact]
    public async Task Execute_StoppedExecutorRestartedOnSamePort_IsUsedAgain()
    {
        await using var stack = await ForwardingStack.StartAsync();
        var restarted = stack.Executors[1];
        await restarted.StopAsync();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await stack.ExecuteAsync(Quick)).Code);
        }

        await Eventually.TrueAsync(async () => (await stack.HealthAsync()).Dependencies["executor:" + restarted.Name].Status == "down");

        await restarted.RestartAsync();

        await Eventually.TrueAsync(async () => (await stack.ExecuteAsync(Quick)).Executor == restarted.Name);
        await Eventually.TrueAsync(async () => (await stack.HealthAsync()) is { Code: HttpStatusCode.OK, Status: "SERVING" });
    }

    [Fact]
    public async Task Execute_CircuitOpenedByFailuresThenExecutorRestarted_IsUsedAgain()
    {
        // Health is checked once at start and then not for ten minutes: only the circuit breaker can take the
        // stopped executor out of the rotation, and only the circuit breaker can bring it back.
        await using var stack = await ForwardingStack.StartAsync(new ForwardingStackOptions
        {
            GatewaySettings = new Dictionary<string, string?>
            {
                ["Phoenix:Gateway:Forwarding:HealthInterval"] = "00:10:00",
                ["Phoenix:Gateway:Forwarding:CircuitBreaker:ConsecutiveFailures"] = "2",
                ["Phoenix:Gateway:Forwarding:CircuitBreaker:BreakDuration"] = "00:00:02",
            },
        });
        var (up, down) = (stack.Executors[0], stack.Executors[1]);
        var endpoint = stack.Pool.Endpoints.Single(e => e.Name == down.Name);
        await down.StopAsync();

        await Eventually.TrueAsync(async () =>
        {
            var run = await stack.ExecuteAsync(Quick);
            Assert.True(run.Code == HttpStatusCode.OK && run.Executor == up.Name, run.ToString());
            return endpoint.Circuit == CircuitState.Open;
        });
        var health = await stack.HealthAsync();
        Assert.Equal("DEGRADED", health.Status);
        Assert.StartsWith("circuit open", health.Dependencies["executor:" + down.Name].Detail, StringComparison.Ordinal);

        await down.RestartAsync();

        await Eventually.TrueAsync(async () => (await stack.ExecuteAsync(Quick)).Executor == down.Name);
        Assert.Equal(CircuitState.Closed, endpoint.Circuit);
        Assert.Equal("SERVING", (await stack.HealthAsync()).Status);
    }

    [Fact]
    public async Task Execute_BothExecutorsStopped_Is503ProblemAndHealthCriticalAndNotReady()
    {
        await using var stack = await ForwardingStack.StartAsync();
        foreach (var executor in stack.Executors)
        {
            await executor.StopAsync();
        }

        var run = await stack.ExecuteAsync(Quick);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, run.Code);
        Assert.True(run.IsProblem, run.ToString());
        Assert.True(run.RetryAfter > TimeSpan.Zero, run.ToString());
        Assert.Equal(503, run.Body.GetProperty("status").GetInt32());
        Assert.DoesNotContain("127.0.0.1", run.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Text, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => (await stack.HealthAsync()) is { Code: HttpStatusCode.ServiceUnavailable, Status: "CRITICAL" });
        using var probe = new HttpClient { BaseAddress = stack.Address };
        await Eventually.TrueAsync(async () =>
        {
            using var ready = await probe.GetAsync("/readyz");
            return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
        });
        Assert.All(stack.Executors, e => Assert.Equal(0, stack.Counter.Runs(e.Name)));
    }
}
