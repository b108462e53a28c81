using System.Net;
using System.Runtime.Versioning;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>The gRPC deadline is the run's timeout plus a margin: the executor's own limit ends a run first; a run that cannot start in time is a 504.</summary>
[SupportedOSPlatform("linux")]
[Collection("Forwarding")]
public sealed class DeadlinePropagationTests
{
    [Fact]
    public async Task Execute_RunLongerThanItsTimeout_EndsTimedOutByTheExecutor()
    {
        await using var stack = await ForwardingStack.StartAsync(new ForwardingStackOptions { Executors = 1 });

        var run = await stack.ExecuteAsync("""{"command":"sleep","args":["30"],"limits":{"timeoutMs":500}}""");

        Assert.True(run.Code == HttpStatusCode.OK && run.Status == "timed_out", run.ToString());
        Assert.Equal(1, stack.Counter.Runs(stack.Executors[0].Name));
    }

    [Fact]
    public async Task Execute_RunQueuedPastTimeoutPlusMargin_Is504AndNeverRuns()
    {
        // One slot: the second run waits behind the first for longer than its 0.5 s timeout + 1 s margin.
        await using var stack = await ForwardingStack.StartAsync(new ForwardingStackOptions
        {
            Executors = 1,
            ExecutorSettings = new Dictionary<string, string?>
            {
                ["Phoenix:Executor:MaxConcurrentRuns"] = "1",
                ["Phoenix:Executor:QueueLength"] = "4",
            },
            GatewaySettings = new Dictionary<string, string?> { ["Phoenix:Gateway:Forwarding:DeadlineMargin"] = "00:00:01" },
        });
        var executor = stack.Executors[0].Name;
        var blocker = stack.ExecuteAsync("""{"command":"sleep","args":["5"],"limits":{"timeoutMs":10000}}""");
        await Eventually.TrueAsync(() => Task.FromResult(stack.Counter.InFlight(executor) == 1 || blocker.IsCompleted));

        var late = await stack.ExecuteAsync("""{"command":"true","limits":{"timeoutMs":500}}""");

        Assert.Equal(HttpStatusCode.GatewayTimeout, late.Code);
        Assert.True(late.IsProblem, late.ToString());
        var first = await blocker;
        Assert.True(first.Code == HttpStatusCode.OK && first.Status == "succeeded", first.ToString());
        // Runs are served oldest first: had the late run stayed queued, it would run before this one.
        var probe = await stack.ExecuteAsync("""{"command":"true"}""");
        Assert.Equal(HttpStatusCode.OK, probe.Code);
        Assert.Equal(2, stack.Counter.Runs(executor));
        var audit = await stack.AuditAsync();
        // On a deadline the gateway cannot know whether the run started, so the audit says "unknown" (the counters above
        // prove that here it never ran).
        Assert.Equal(["succeeded", "succeeded", "unknown"], audit.Select(a => a.Status).Order(StringComparer.Ordinal));
    }
}
