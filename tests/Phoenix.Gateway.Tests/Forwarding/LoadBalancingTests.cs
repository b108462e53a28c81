using System.Net;
using System.Runtime.Versioning;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>With every executor up, concurrent runs are spread by runs in flight.</summary>
[SupportedOSPlatform("linux")]
[Collection("Forwarding")]
public sealed class LoadBalancingTests : IAsyncLifetime
{
    private ForwardingStack _stack = null!;

    public async Task InitializeAsync() => _stack = await ForwardingStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Execute_TwoConcurrentSlowRuns_LandOnDifferentExecutors()
    {
        const string Sleep = """{"command":"sleep","args":["1"]}""";

        var runs = await Task.WhenAll(_stack.ExecuteAsync(Sleep), _stack.ExecuteAsync(Sleep));

        Assert.All(runs, r => Assert.True(r.Code == HttpStatusCode.OK && r.Status == "succeeded", r.ToString()));
        Assert.Equal(
            _stack.Executors.Select(e => e.Name).Order(StringComparer.Ordinal),
            runs.Select(r => r.Executor!).Order(StringComparer.Ordinal));
        Assert.All(_stack.Executors, e => Assert.Equal(1, _stack.Counter.Runs(e.Name)));
    }
}
