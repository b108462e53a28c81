namespace Phoenix.Resilience.Pipelines;

/// <summary>
/// The <c>Phoenix:Resilience</c> configuration section: named pipelines, reloaded live.
/// </summary>
public sealed record ResilienceOptions
{
    /// <summary>The configuration section bound to this type.</summary>
    public const string SectionName = "Phoenix:Resilience";

    /// <summary>Pipelines by name (<c>Phoenix:Resilience:Pipelines:{name}</c>). Names are case-insensitive. Default: none.</summary>
    public Dictionary<string, PipelineOptions> Pipelines { get; init; } = new(StringComparer.OrdinalIgnoreCase);
}
