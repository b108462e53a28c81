namespace Phoenix.Operations.Tests.Metrics;

/// <summary>One rule as Prometheus loaded it (<c>/api/v1/rules</c>).</summary>
internal sealed record LoadedRule(
    string Group,
    string Name,
    string Type,
    string Query,
    string Health,
    string? LastError,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    double DurationSeconds)
{
    public bool IsAlert => Type == "alerting";
}
