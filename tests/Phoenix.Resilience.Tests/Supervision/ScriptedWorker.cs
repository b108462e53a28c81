using Phoenix.Resilience.Supervision;

namespace Phoenix.Resilience.Tests.Supervision;

/// <summary>A worker whose every run is scripted by the test; signals each start.</summary>
internal sealed class ScriptedWorker(string name, Func<int, CancellationToken, Task> script) : ISupervisedWorker
{
    private int _runs;

    public string Name { get; } = name;

    public int Runs => Volatile.Read(ref _runs);

    public SemaphoreSlim Started { get; } = new(0);

    /// <summary>A worker that throws at once on every run.</summary>
    public static ScriptedWorker Crashing(string name = "crasher") =>
        new(name, (_, _) => Task.FromException(new InvalidOperationException("boom at /srv/secret")));

    /// <summary>A worker that runs until its token is cancelled, then returns.</summary>
    public static ScriptedWorker UntilCancelled(string name = "steady") =>
        new(name, async (_, token) =>
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = token.Register(() => stopped.TrySetResult());
            await stopped.Task;
        });

    public Task RunAsync(CancellationToken stoppingToken)
    {
        var run = Interlocked.Increment(ref _runs);
        Started.Release();
        return script(run, stoppingToken);
    }

    /// <summary>Waits (at most 10 s of real time, as a guard) for the next start.</summary>
    public async Task WaitForStartAsync() =>
        Assert.True(await Started.WaitAsync(TimeSpan.FromSeconds(10)), $"Worker {Name} did not start.");
}
