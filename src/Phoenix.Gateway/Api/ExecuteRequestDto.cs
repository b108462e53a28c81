namespace Phoenix.Gateway.Api;

/// <summary>The body of <c>POST /api/v1/execute</c> (DESIGN.md, HTTP API). Checked against <c>/schemas/execute.json</c> first.</summary>
internal sealed record ExecuteRequestDto
{
    public string Command { get; init; } = string.Empty;

    public List<string>? Args { get; init; }

    public string? Stdin { get; init; }

    public Dictionary<string, string>? Env { get; init; }

    public List<FileDto>? Files { get; init; }

    public string? WorkingDirectory { get; init; }

    public LimitsDto? Limits { get; init; }
}

/// <summary>A file to place in the run's workdir.</summary>
internal sealed record FileDto
{
    public string Path { get; init; } = string.Empty;

    public string Content { get; init; } = string.Empty;

    /// <summary><c>utf8</c> (default) or <c>base64</c>.</summary>
    public string? Encoding { get; init; }

    public bool Executable { get; init; }
}

/// <summary>Requested limits; absent ones get the executor policy's defaults.</summary>
internal sealed record LimitsDto
{
    public int? TimeoutMs { get; init; }

    public int? MemoryMb { get; init; }

    public int? CpuPercent { get; init; }

    public int? MaxProcesses { get; init; }

    public long? MaxOutputBytes { get; init; }
}
