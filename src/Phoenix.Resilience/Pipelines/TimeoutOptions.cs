using System.ComponentModel.DataAnnotations;

namespace Phoenix.Resilience.Pipelines;

/// <summary>Timeout of one attempt.</summary>
public sealed record TimeoutOptions
{
    /// <summary>How long one attempt may take. Default 10 s; 1 ms..24 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}
