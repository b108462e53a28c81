namespace Phoenix.Executor.Policy;

/// <summary>A request as received, before any check (transport-neutral; built from the gRPC message).</summary>
internal sealed record RunRequest
{
    public string RunId { get; init; } = string.Empty;

    public string Command { get; init; } = string.Empty;

    public IReadOnlyList<string> Args { get; init; } = [];

    public string? Stdin { get; init; }

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<RunFile> Files { get; init; } = [];

    public string WorkingDirectory { get; init; } = string.Empty;

    public int? TimeoutMs { get; init; }

    public int? MemoryMb { get; init; }

    public int? CpuPercent { get; init; }

    public int? MaxProcesses { get; init; }

    public long? MaxOutputBytes { get; init; }
}
