namespace Phoenix.Executor.Policy;

/// <summary>The outcome of checking a request: a run to start, or every violation found.</summary>
internal sealed record PolicyDecision(RunSpec? Run, IReadOnlyList<PolicyViolation> Violations)
{
    public bool Allowed => Run is not null;

    /// <summary>True when any violation is a policy prohibition rather than a malformed request.</summary>
    public bool Forbidden => Violations.Any(v => v.Forbidden);
}
