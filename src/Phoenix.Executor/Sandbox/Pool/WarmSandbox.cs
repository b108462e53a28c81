using System.Diagnostics;

namespace Phoenix.Executor.Sandbox.Pool;

/// <summary>
/// One pre-started sandbox: its cgroup, its mounted (empty) workdir and bubblewrap already in its namespaces with
/// seccomp applied, the helper waiting on stdin (<see cref="WarmHelper"/>). It runs at most one command and is then
/// destroyed; it is never reused. Made by <see cref="BubblewrapSandbox.StartWarmAsync"/>, owned by the pool until a run
/// claims it (<see cref="TryClaim"/>) or the pool retires it (<see cref="TryRetire"/>), whichever comes first; the
/// owner destroys it (<see cref="BubblewrapSandbox.DestroyWarmAsync"/>).
/// </summary>
internal sealed class WarmSandbox(string key, SandboxShape shape, string statusPath, string argsPath)
{
    private const int Idle = 0;
    private const int Claimed = 1;
    private const int Retired = 2;

    private readonly TaskCompletionSource<bool> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;
    private int _destroyed;

    /// <summary>Names the workdir (<c>root/key</c>), the cgroup (<c>parent/key</c>) and the per-sandbox files, as a cold run's key does.</summary>
    public string Key { get; } = key;

    public SandboxShape Shape { get; } = shape;

    public string StatusPath { get; } = statusPath;

    public string ArgsPath { get; } = argsPath;

    public CgroupV1? Cgroup { get; set; }

    public Workdir? Workdir { get; set; }

    /// <summary>bubblewrap (the outermost process of the launch chain); null until spawned.</summary>
    public Process? Process { get; set; }

    /// <summary>True once the helper waits for its message; false if the sandbox failed to start (then it holds nothing useful).</summary>
    public Task<bool> Ready => _ready.Task;

    /// <summary>Ready now (not still starting, not failed).</summary>
    public bool IsReady => _ready.Task is { IsCompletedSuccessfully: true, Result: true };

    /// <summary>Failed to start.</summary>
    public bool HasFailed => _ready.Task is { IsCompletedSuccessfully: true, Result: false };

    public void SetReady(bool ready) => _ready.TrySetResult(ready);

    /// <summary>Takes the sandbox for a run; false if the pool retired it or another run took it.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Idle) == Idle;

    /// <summary>Takes the sandbox for destruction by the pool; false if a run has claimed it.</summary>
    public bool TryRetire() => Interlocked.CompareExchange(ref _state, Retired, Idle) == Idle;

    /// <summary>True the first time only: destruction happens once.</summary>
    internal bool BeginDestroy() => Interlocked.Exchange(ref _destroyed, 1) == 0;
}
