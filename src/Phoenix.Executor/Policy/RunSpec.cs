namespace Phoenix.Executor.Policy;

/// <summary>A request that passed the policy: everything the sandbox needs, resolved and checked.</summary>
internal sealed record RunSpec
{
    public required string RunId { get; init; }

    public required string CommandName { get; init; }

    /// <summary>Absolute path of the allowlisted binary (inside the directories bound into the sandbox).</summary>
    public required string CommandPath { get; init; }

    public required IReadOnlyList<string> Args { get; init; }

    public ReadOnlyMemory<byte>? Stdin { get; init; }

    public required IReadOnlyDictionary<string, string> Env { get; init; }

    public required IReadOnlyList<RunFile> Files { get; init; }

    /// <summary>Relative to the workdir, normalized, "" for the workdir itself.</summary>
    public required string WorkingDirectory { get; init; }

    public required RunLimits Limits { get; init; }

    /// <summary>The policy the run was checked against (sizes of workdir, /tmp, rlimits).</summary>
    public required PolicyOptions Policy { get; init; }
}
