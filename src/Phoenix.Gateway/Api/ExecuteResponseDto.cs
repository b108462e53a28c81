namespace Phoenix.Gateway.Api;

/// <summary>The answer of <c>POST /api/v1/execute</c> whenever the command ran (HTTP 200, whatever its exit code).</summary>
internal sealed record ExecuteResponseDto(
    string Id,
    string Status,
    int? ExitCode,
    int? Signal,
    string Stdout,
    string Stderr,
    bool StdoutTruncated,
    bool StderrTruncated,
    UsageDto Usage,
    string Executor,
    string TraceId);

/// <summary>What the run consumed.</summary>
internal sealed record UsageDto(long WallMs, long CpuMs, long PeakMemoryBytes);
