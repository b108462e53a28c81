using System.ComponentModel.DataAnnotations;

namespace Phoenix.Resilience.Supervision;

/// <summary>Options of the worker supervisor (validated at start).</summary>
public sealed class SupervisorOptions
{
    /// <summary>The delay before the first restart after a crash; it doubles for each further crash. Default 1 s; 1 ms to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between restarts. Default 60 s; 1 ms to 1 day, and not less than <see cref="InitialDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether to randomize the delays (Polly's decorrelated jitter). Default <see langword="false"/>.</summary>
    public bool UseJitter { get; set; }

    /// <summary>How many crashes within <see cref="CrashLoopWindow"/> make a crash loop: the worker is then failed and not restarted. Default 5; 1 to 1000.</summary>
    [Range(1, 1000)]
    public int CrashLoopThreshold { get; set; } = 5;

    /// <summary>The window in which crashes are counted for <see cref="CrashLoopThreshold"/>. Default 5 min; 1 s to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan CrashLoopWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A worker that ran at least this long before crashing is restarted at once and its backoff starts
    /// again from <see cref="InitialDelay"/> (the crash still counts towards a crash loop). Default 60 s; 1 s to 1 day.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true)]
    public TimeSpan BackoffResetAfter { get; set; } = TimeSpan.FromSeconds(60);
}
