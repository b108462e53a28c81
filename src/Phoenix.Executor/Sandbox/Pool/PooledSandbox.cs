using System.Diagnostics;
using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Sandbox.Pool;

/// <summary>
/// The bubblewrap sandbox with a warm pool in front: a run takes a warm sandbox when the pool has one that fits it
/// (<see cref="WarmSandboxPool.TryTake"/>), and starts cold otherwise or when the warm one turns out unusable before
/// the command started. Isolation is the same either way: same launch chain, same namespaces, same seccomp filter,
/// same limits, a fresh sandbox per run.
/// </summary>
internal sealed class PooledSandbox(BubblewrapSandbox sandbox, WarmSandboxPool pool) : ISandbox
{
    public WarmSandboxPool Pool => pool;

    public async Task<SandboxResult> RunAsync(RunSpec run, IOutputSink? output, CancellationToken cancellationToken)
    {
        if (pool.TryTake(run) is { } warm)
        {
            SandboxResult? result;
            try
            {
                result = await sandbox.TryRunWarmAsync(warm, run, output, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                pool.Release(warm);
            }

            if (result is not null)
            {
                pool.RecordHit();
                Activity.Current?.SetTag("phoenix.sandbox.warm", true);
                return result;
            }

            pool.RecordMiss("unusable");
        }

        Activity.Current?.SetTag("phoenix.sandbox.warm", false);
        return await sandbox.RunAsync(run, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes what a crash left (warm sandboxes of an earlier process included), never the live pool's own.</summary>
    public void CleanUpStale() => sandbox.CleanUpStale(pool.Owns);
}
