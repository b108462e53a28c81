using System.ComponentModel.DataAnnotations;

namespace Phoenix.Resilience.Pipelines;

/// <summary>Retry with exponential backoff and jitter that honors a Retry-After hint.</summary>
public sealed record RetryOptions
{
    /// <summary>Retries after the first attempt. Default 3; 0..100.</summary>
    [Range(0, 100)]
    public int MaxRetryAttempts { get; init; } = 3;

    /// <summary>Delay before the first retry, doubled each time. Default 200 ms; 1 ms..10 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of any delay, including one asked for by Retry-After. Default 30 s; 1 ms..1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Randomize delays (Polly's decorrelated jitter). Default <see langword="true"/>.</summary>
    public bool UseJitter { get; init; } = true;

    /// <summary>Wait what the failure asked for (Retry-After, circuit break time) instead of the computed delay. Default <see langword="true"/>.</summary>
    public bool HonorRetryAfter { get; init; } = true;
}
