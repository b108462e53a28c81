using Phoenix.Executor.Policy;
using Phoenix.Executor.Sandbox;

namespace Phoenix.Executor.Runs;

/// <summary>What the executor answers for one request: a result, or why it did not run.</summary>
internal sealed record RunReply
{
    public RunSpec? Run { get; init; }

    public SandboxResult? Result { get; init; }

    /// <summary>Policy or validation problems (nothing ran).</summary>
    public IReadOnlyList<PolicyViolation> Violations { get; init; } = [];

    /// <summary>Set when the run was refused for capacity or shutdown (nothing ran).</summary>
    public RunRefusal? Refusal { get; init; }
}
