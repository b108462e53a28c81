using System.ComponentModel.DataAnnotations;

namespace Phoenix.Resilience.Degradation;

/// <summary>Options of degraded mode (validated at start).</summary>
public sealed class DegradedModeOptions
{
    /// <summary>How often the signals are read. Default 5 s; between 10 ms and 1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long every signal must have been healthy before automatic degraded mode is left (avoids
    /// flapping). Default 30 s; between 0 (leave at the first healthy evaluation) and 1 h.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan MinimumDwellTime { get; set; } = TimeSpan.FromSeconds(30);
}
