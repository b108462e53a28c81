using System.Net;
using System.Runtime.Versioning;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>A run is not idempotent: whatever happens to an executor, each accepted run executes at most once, and the audit says which.</summary>
[SupportedOSPlatform("linux")]
[Collection("Forwarding")]
public sealed class NoDoubleExecutionTests : IAsyncLifetime
{
    private ForwardingStack _stack = null!;

    public async Task InitializeAsync() => _stack = await ForwardingStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Execute_ExecutorStoppedMidway_EveryRunExecutesAtMostOnceAndAuditMatchesExecutors()
    {
        const int Runs = 16;
        const int StopAfter = 5;
        var stopped = _stack.Executors[1];
        using var slots = new SemaphoreSlim(4);
        var finished = 0;
        Task? stopping = null;

        var runs = await Task.WhenAll(Enumerable.Range(0, Runs).Select(async _ =>
        {
            await slots.WaitAsync();
            try
            {
                return await _stack.ExecuteAsync("""{"command":"sleep","args":["0.2"]}""");
            }
            finally
            {
                slots.Release();
                if (Interlocked.Increment(ref finished) == StopAfter)
                {
                    // Stopped while the other runs are in flight or about to be sent.
                    stopping = Task.Run(stopped.StopAsync);
                }
            }
        }));
        await stopping!;

        Assert.All(runs, r => Assert.True(
            (r.Code == HttpStatusCode.OK && r.Status == "succeeded") || (r.Code == HttpStatusCode.ServiceUnavailable && r.IsProblem),
            r.ToString()));
        var audit = await _stack.AuditAsync();
        Assert.Equal(Runs, audit.Select(a => a.RunId).Distinct(StringComparer.Ordinal).Count());
        // "unknown": the call failed after it was sent (the executor stopped under it), so the gateway did not retry it
        // and cannot know whether it ran. Such a run counts at most once: never on two executors, never twice.
        var executed = audit.Where(a => a.Status is not ("accepted" or "rejected" or "unknown")).ToList();
        var unknown = audit.Where(a => a.Status == "unknown").ToList();
        Assert.Equal(runs.Count(r => r.Code == HttpStatusCode.OK), executed.Count);
        foreach (var executor in _stack.Executors)
        {
            var counted = _stack.Counter.Runs(executor.Name);
            Assert.InRange(counted, executed.Count(a => a.Executor == executor.Name), executed.Count(a => a.Executor == executor.Name) + unknown.Count(a => a.Executor == executor.Name));
        }

        Assert.InRange(_stack.Executors.Sum(e => _stack.Counter.Runs(e.Name)), executed.Count, executed.Count + unknown.Count);
    }
}
