using System.Net;
using System.Runtime.Versioning;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>Executors that refuse a run because they are full: the refusal is safe to retry elsewhere, and when every executor is full the caller gets 503.</summary>
[SupportedOSPlatform("linux")]
[Collection("Forwarding")]
public sealed class ExecutorQueueFullTests : IAsyncLifetime
{
    private ForwardingStack _stack = null!;

    public async Task InitializeAsync() => _stack = await ForwardingStack.StartAsync(new ForwardingStackOptions
    {
        ExecutorSettings = new Dictionary<string, string?>
        {
            ["Phoenix:Executor:MaxConcurrentRuns"] = "1",
            ["Phoenix:Executor:QueueLength"] = "0",
        },
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Execute_ThreeRunsOnTwoSingleSlotExecutors_TwoRunAndTheThirdIs503WithRetryAfter()
    {
        const string Sleep = """{"command":"sleep","args":["2"]}""";

        var runs = await Task.WhenAll(_stack.ExecuteAsync(Sleep), _stack.ExecuteAsync(Sleep), _stack.ExecuteAsync(Sleep));

        var ran = runs.Where(r => r.Code == HttpStatusCode.OK).ToList();
        Assert.Equal(2, ran.Count);
        Assert.All(ran, r => Assert.Equal("succeeded", r.Status));
        Assert.Equal(_stack.Executors.Select(e => e.Name).Order(StringComparer.Ordinal), ran.Select(r => r.Executor!).Order(StringComparer.Ordinal));
        var refused = Assert.Single(runs, r => r.Code != HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Code);
        Assert.True(refused.IsProblem, refused.ToString());
        Assert.True(refused.RetryAfter > TimeSpan.Zero, refused.ToString());
        Assert.All(_stack.Executors, e => Assert.Equal(1, _stack.Counter.Runs(e.Name)));
        var audit = await _stack.AuditAsync();
        Assert.Equal(["rejected", "succeeded", "succeeded"], audit.Select(a => a.Status).Order(StringComparer.Ordinal));
    }
}
