using System.Net;
using System.Runtime.Versioning;
using Phoenix.Gateway.Tests.Support;
using Xunit.Abstractions;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>An executor that goes away while it runs a command: the caller learns how the run ended, and it is never run again elsewhere.</summary>
[SupportedOSPlatform("linux")]
[Collection("Forwarding")]
public sealed class InFlightExecutorDiesTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ForwardingStack _stack = null!;

    public async Task InitializeAsync() => _stack = await ForwardingStack.StartAsync(new ForwardingStackOptions
    {
        ExecutorSettings = new Dictionary<string, string?>
        {
            ["Phoenix:ShutdownTimeoutSeconds"] = "1",
            ["Phoenix:Executor:ShutdownDeadline"] = "00:00:00.2",
        },
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Execute_ExecutorStoppedDuringRun_EndsKilledOr503Or504AndIsNotRetried()
    {
        var call = _stack.ExecuteAsync("""{"command":"sleep","args":["5"],"limits":{"timeoutMs":20000}}""");
        ExecutorNode? victim = null;
        await Eventually.TrueAsync(() =>
        {
            victim = _stack.Executors.FirstOrDefault(e => _stack.Counter.InFlight(e.Name) == 1);
            return Task.FromResult(victim is not null || call.IsCompleted);
        });
        if (call.IsCompleted)
        {
            Assert.Fail("The run ended before it was seen running: " + await call);
        }

        var other = _stack.Executors.Single(e => e != victim);
        var otherRunsBefore = _stack.Counter.Runs(other.Name);

        await victim!.StopAsync();
        var run = await call;
        output.WriteLine(run.ToString());

        Assert.True(
            (run.Code == HttpStatusCode.OK && run.Status == "killed" && run.Executor == victim.Name)
                || (run.Code is HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout && run.IsProblem),
            run.ToString());
        Assert.Equal(otherRunsBefore, _stack.Counter.Runs(other.Name));
        Assert.Equal(0, _stack.Counter.InFlight(other.Name));
        var record = Assert.Single(await _stack.AuditAsync());
        Assert.Equal(victim.Name, record.Executor);
        Assert.Equal(run.Code == HttpStatusCode.OK ? "killed" : "rejected", record.Status);
    }
}
