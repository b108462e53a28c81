using Phoenix.Contracts.Executor;

namespace Phoenix.Bench.InstantExecutor;

/// <summary>The succeeded run every request gets, in the executor's and in the gateway's shape.</summary>
internal static class InstantResults
{
    public const string Executor = "instant-0";

    public static ExecuteResult Result(ExecuteRequest request) => new()
    {
        RunId = request.RunId is { Length: > 0 } id ? id : Guid.NewGuid().ToString("N"),
        Status = RunStatus.Succeeded,
        ExitCode = 0,
        Stdout = "1\n",
        Stderr = string.Empty,
        Usage = new Usage { WallMs = 1, CpuMs = 1, PeakMemoryBytes = 1_048_576 },
        Executor = Executor,
        AppliedLimits = new Limits { TimeoutMs = 10_000, MemoryMb = 512, CpuPercent = 50, MaxProcesses = 5, MaxOutputBytes = 1_048_576 },
    };

    /// <summary>The JSON body the gateway would answer for <see cref="Result"/>.</summary>
    public static InstantResponse Response(string traceId) => new(
        Guid.NewGuid().ToString("N"), "succeeded", 0, null, "1\n", string.Empty, false, false, new InstantUsage(1, 1, 1_048_576), Executor, traceId);
}
