using System.ComponentModel.DataAnnotations;

namespace Phoenix.Executor.Policy;

/// <summary>A set of run limits: used for the policy's defaults and for its maxima.</summary>
public sealed record RunLimitsOptions
{
    /// <summary>Wall-clock time limit. Default 10 000 ms; 1..3 600 000.</summary>
    [Range(1, 3_600_000)]
    public int TimeoutMs { get; init; } = 10_000;

    /// <summary>Memory limit of the whole sandbox (cgroup), MiB. Default 512; 8..65 536.</summary>
    [Range(8, 65_536)]
    public int MemoryMb { get; init; } = 512;

    /// <summary>CPU quota in percent of one CPU. Default 50; 1..6 400.</summary>
    [Range(1, 6_400)]
    public int CpuPercent { get; init; } = 50;

    /// <summary>Processes and threads the command may have at once. Default 5; 1..4 096.</summary>
    [Range(1, 4_096)]
    public int MaxProcesses { get; init; } = 5;

    /// <summary>Bytes kept per output stream; more ends the run with <c>output_limit</c>. Default 1 MiB; 1 KiB..256 MiB.</summary>
    [Range(1_024, 268_435_456)]
    public long MaxOutputBytes { get; init; } = 1_048_576;
}
