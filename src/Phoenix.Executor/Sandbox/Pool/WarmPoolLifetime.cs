namespace Phoenix.Executor.Sandbox.Pool;

/// <summary>
/// Starts and stops the warm pool with the host, when the sandbox has one. Registered after the run coordinator: it
/// starts after the coordinator's start removed stale sandboxes (so the new pool's are never mistaken for them), and
/// stops after the coordinator drained the runs in flight (hosted services stop in reverse order).
/// </summary>
internal sealed class WarmPoolLifetime(ISandbox sandbox) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        (sandbox as PooledSandbox)?.Pool.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        (sandbox as PooledSandbox)?.Pool.StopAsync().WaitAsync(cancellationToken) ?? Task.CompletedTask;
}
