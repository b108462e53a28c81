namespace Phoenix.Executor.Sandbox;

/// <summary>What a run consumed.</summary>
internal readonly record struct RunUsage(long WallMs, long CpuMs, long PeakMemoryBytes);
