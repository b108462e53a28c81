using System.Threading.Channels;
using Phoenix.Executor.Policy;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Executor.Sandbox.Pool;

/// <summary>
/// Keeps <see cref="WarmPoolOptions.Size"/> warm sandboxes started for the policy in force and hands each to at most
/// one run. One background loop starts them one at a time (a start costs what a cold run's start costs; one at a time
/// keeps the pool from competing with runs for the cores), replaces one that dies while it waits, and destroys those
/// the current policy or size no longer wants. A sandbox a run took is destroyed after the run, off its path
/// (<see cref="Release"/>), and replaced then, not when it is taken (its replacement's start would compete with the
/// run for the cores). <see cref="StopAsync"/> destroys everything the pool holds; sandboxes claimed by runs are
/// destroyed by their runs.
/// </summary>
internal sealed partial class WarmSandboxPool : IAsyncDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly BubblewrapSandbox _sandbox;
    private readonly PolicyStore _policy;
    private readonly ReloadableSnapshot<WarmPoolOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SandboxPoolTelemetry _telemetry;
    private readonly Lock _lock = new();

    // Unclaimed sandboxes, starting or ready; and every key the pool is responsible for (these plus those it is destroying).
    private readonly List<WarmSandbox> _idle = [];
    private readonly HashSet<string> _owned = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _destroying = [];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private bool _started;
    private volatile bool _stopped;
    private long _hits;
    private long _misses;

    public WarmSandboxPool(
        BubblewrapSandbox sandbox,
        PolicyStore policy,
        ReloadableSnapshot<WarmPoolOptions> options,
        ReloadableSnapshot<PolicyOptions> policySnapshot,
        System.Diagnostics.Metrics.IMeterFactory meters,
        TimeProvider time,
        ILogger<WarmSandboxPool> logger)
    {
        _sandbox = sandbox;
        _policy = policy;
        _options = options;
        _time = time;
        _logger = logger;
        _telemetry = new SandboxPoolTelemetry(meters, () => TargetSize, () => Available);
        options.Changed += _ => Wake();
        policySnapshot.Changed += _ => Wake();
        if (!sandbox.SupportsWarm && options.Current.Size > 0)
        {
            LogUnsupported(_logger, WarmHelper.Shell, WarmHelper.Env);
        }
    }

    /// <summary>Sandboxes the pool aims to keep: the configured size, 0 once stopped or where warm sandboxes cannot be made.</summary>
    public int TargetSize => _stopped || !_sandbox.SupportsWarm ? 0 : _options.Current.Size;

    /// <summary>Unclaimed sandboxes ready for a run now.</summary>
    public int Available
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count(w => w.IsReady);
            }
        }
    }

    /// <summary>Runs that ran in a warm sandbox.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Runs that started cold while the pool was on.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Keys (workdir, cgroup and file names) of every sandbox the pool holds: starting, waiting or being destroyed.</summary>
    public IReadOnlyCollection<string> OwnedKeys
    {
        get
        {
            lock (_lock)
            {
                return _owned.ToArray();
            }
        }
    }

    /// <summary>The unclaimed sandboxes now (for tests and diagnostics).</summary>
    internal IReadOnlyList<WarmSandbox> IdleSandboxes
    {
        get
        {
            lock (_lock)
            {
                return _idle.ToArray();
            }
        }
    }

    /// <summary>Whether <paramref name="key"/> names a sandbox the pool holds (stale-sandbox cleanup must leave it).</summary>
    public bool Owns(string key)
    {
        lock (_lock)
        {
            return _owned.Contains(key);
        }
    }

    /// <summary>Starts filling the pool. Call after stale sandboxes of an earlier process were removed.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_started || _stopped)
            {
                return;
            }

            _started = true;
        }

        _loop = Task.Run(() => RefillAsync(_stopping.Token));
    }

    /// <summary>
    /// Claims a sandbox for <paramref name="run"/>: a ready one if any, else one still starting (it is further along
    /// than a cold start would be). Null when the pool is off, empty, or holds only sandboxes of another shape; the run
    /// then starts cold. Either way the pool refills in the background.
    /// </summary>
    public WarmSandbox? TryTake(RunSpec run)
    {
        if (TargetSize == 0)
        {
            return null;
        }

        var shape = SandboxShape.Of(run.Policy);
        WarmSandbox? taken = null;
        var reason = "empty";
        if (!WarmHelper.CanCarry(run))
        {
            reason = "incompatible";
        }
        else
        {
            lock (_lock)
            {
                var candidates = _idle.Where(w => w.Shape == shape && !w.HasFailed).OrderByDescending(w => w.IsReady);
                foreach (var candidate in candidates)
                {
                    if (candidate.TryClaim())
                    {
                        taken = candidate;
                        break;
                    }
                }

                if (taken is not null)
                {
                    _idle.Remove(taken);
                    _owned.Remove(taken.Key);
                }
                else if (_idle.Count > 0)
                {
                    reason = _idle.Any(w => w.Shape == shape) ? "empty" : "incompatible";
                }
            }
        }

        if (taken is null)
        {
            RecordMiss(reason);
            Wake();
        }

        // A taken sandbox is replaced once its run is over (Release): a start now would compete with the run for the cores.
        return taken;
    }

    /// <summary>
    /// Destroys <paramref name="warm"/>, taken by <see cref="TryTake"/>, once its run is over (ran, or could not use it),
    /// in the background: the run's result does not wait for the unmount and cgroup removal. <see cref="StopAsync"/>
    /// waits for it, and the key counts as the pool's until it is gone. The pool starts its replacement at once.
    /// </summary>
    public void Release(WarmSandbox warm)
    {
        lock (_lock)
        {
            _owned.Add(warm.Key);
        }

        // DestroyAsync registers the destruction before it returns (StopAsync waits for it) and runs it on the thread
        // pool. The replacement starts now, beside the destruction: both are off the run's path, which is over.
        _ = DestroyAsync(warm);
        Wake();
    }

    /// <summary>Counts a run that ran warm.</summary>
    public void RecordHit()
    {
        Interlocked.Increment(ref _hits);
        _telemetry.Hits.Add(1);
    }

    /// <summary>Counts a run that started cold while the pool was on (<c>empty</c>, <c>incompatible</c> or <c>unusable</c>).</summary>
    public void RecordMiss(string reason)
    {
        Interlocked.Increment(ref _misses);
        _telemetry.Misses.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>Stops refilling and destroys every sandbox the pool holds; returns when they are gone.</summary>
    public async Task StopAsync()
    {
        lock (_lock)
        {
            _stopped = true;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        List<WarmSandbox> retired;
        lock (_lock)
        {
            retired = [.. _idle.Where(w => w.TryRetire())];
        }

        foreach (var warm in retired)
        {
            await DestroyAsync(warm).ConfigureAwait(false);
        }

        Task[] pending;
        lock (_lock)
        {
            pending = [.. _destroying];
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _telemetry.Dispose();
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task RefillAsync(CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.Zero;
        while (!cancellationToken.IsCancellationRequested)
        {
            var shape = SandboxShape.Of(_policy.Current.Options);
            await RetireUnwantedAsync(shape).ConfigureAwait(false);

            WarmSandbox? warm = null;
            lock (_lock)
            {
                if (_idle.Count < TargetSize)
                {
                    warm = _sandbox.NewWarm(shape);
                    _idle.Add(warm);
                    _owned.Add(warm.Key);
                }
            }

            if (warm is null)
            {
                await _wake.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            bool ready;
            try
            {
                ready = await _sandbox.StartWarmAsync(warm, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: StopAsync destroys it (or the run that claimed it does).
                return;
            }

            if (ready)
            {
                backoff = TimeSpan.Zero;
                _ = WatchAsync(warm);
                continue;
            }

            _telemetry.Failures.Add(1, new KeyValuePair<string, object?>("reason", "start"));
            if (Retire(warm))
            {
                await DestroyAsync(warm).ConfigureAwait(false);
            }

            // A sandbox that cannot start now will not start in a loop either: back off (1 s doubling to 30 s).
            backoff = backoff == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            LogStartFailed(_logger, backoff);
            await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Destroys waiting sandboxes of another shape than the policy's, and those beyond the target size.</summary>
    private async Task RetireUnwantedAsync(SandboxShape shape)
    {
        List<WarmSandbox> unwanted = [];
        lock (_lock)
        {
            unwanted.AddRange(_idle.Where(w => w.Shape != shape || w.HasFailed));
            var keep = _idle.Except(unwanted).OrderByDescending(w => w.IsReady).ToList();
            unwanted.AddRange(keep.Skip(TargetSize));
        }

        foreach (var warm in unwanted)
        {
            if (Retire(warm))
            {
                await DestroyAsync(warm).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Replaces a waiting sandbox whose bubblewrap dies (killed, OOM) before a run claims it.</summary>
    private async Task WatchAsync(WarmSandbox warm)
    {
        try
        {
            await warm.Process!.WaitForExitAsync().ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Disposed by whoever destroyed it.
            return;
        }

        if (Retire(warm))
        {
            LogDied(_logger, warm.Key);
            _telemetry.Failures.Add(1, new KeyValuePair<string, object?>("reason", "died"));
            await DestroyAsync(warm).ConfigureAwait(false);
            Wake();
        }
    }

    /// <summary>Takes <paramref name="warm"/> out of the idle list for destruction; false if a run claimed it first.</summary>
    private bool Retire(WarmSandbox warm)
    {
        lock (_lock)
        {
            if (!warm.TryRetire())
            {
                return false;
            }

            _idle.Remove(warm);
            return true;
        }
    }

    /// <summary>
    /// Destroys <paramref name="warm"/> on the thread pool (the kill, unmount and cgroup removals complete synchronously:
    /// started inline, they would hold up the caller, a run's <see cref="Release"/> among them), registered in
    /// <c>_destroying</c> before this returns.
    /// </summary>
    private async Task DestroyAsync(WarmSandbox warm)
    {
        var destroy = Task.Run(() => _sandbox.DestroyWarmAsync(warm));
        lock (_lock)
        {
            _destroying.Add(destroy);
        }

        try
        {
            await destroy.ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _destroying.Remove(destroy);
                _owned.Remove(warm.Key);
            }
        }
    }

    [LoggerMessage(EventId = 3150, Level = LogLevel.Warning, Message = "The warm sandbox pool is configured but stays empty: {Shell} and {Env} must exist inside a read-only bind of the sandbox (the default binds /usr)")]
    private static partial void LogUnsupported(ILogger logger, string shell, string env);

    [LoggerMessage(EventId = 3151, Level = LogLevel.Warning, Message = "A warm sandbox failed to start; the pool retries in {Backoff}")]
    private static partial void LogStartFailed(ILogger logger, TimeSpan backoff);

    [LoggerMessage(EventId = 3152, Level = LogLevel.Warning, Message = "Warm sandbox {Key} died while waiting for a run; it is replaced")]
    private static partial void LogDied(ILogger logger, string key);
}
