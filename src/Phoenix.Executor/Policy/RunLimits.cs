namespace Phoenix.Executor.Policy;

/// <summary>The limits one run gets: the request merged with the policy defaults, within the maxima.</summary>
internal sealed record RunLimits(int TimeoutMs, int MemoryMb, int CpuPercent, int MaxProcesses, long MaxOutputBytes);
