namespace Phoenix.Bench.InstantExecutor;

/// <summary>The shape of the gateway's execute answer (see <c>ExecuteResponseDto</c>).</summary>
public sealed record InstantResponse(
    string Id,
    string Status,
    int? ExitCode,
    int? Signal,
    string Stdout,
    string Stderr,
    bool StdoutTruncated,
    bool StderrTruncated,
    InstantUsage Usage,
    string Executor,
    string TraceId);

/// <summary>What the run consumed.</summary>
public sealed record InstantUsage(long WallMs, long CpuMs, long PeakMemoryBytes);
