using System.Diagnostics.CodeAnalysis;

namespace Phoenix.Resilience.Fallbacks;

/// <summary>
/// Holds the most recent successful result of one operation for a limited time, so a fallback can
/// answer with it when the operation fails (see
/// <see cref="FallbackPipelineBuilderExtensions.AddLastKnownGoodFallback{T}"/>).
/// Thread-safe: a value and its timestamp are replaced together with one reference write.
/// Age is measured with the monotonic clock of the <see cref="TimeProvider"/>.
/// </summary>
/// <typeparam name="T">The result type of the protected operation.</typeparam>
public sealed class LastKnownGoodCache<T>
{
    private readonly TimeProvider _timeProvider;
    private Entry? _entry;

    /// <summary>Creates an empty cache.</summary>
    /// <param name="timeToLive">How long a stored value may be served; must be positive.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeToLive"/> is zero or negative.</exception>
    public LastKnownGoodCache(TimeSpan timeToLive, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        TimeToLive = timeToLive;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How long a stored value may be served after it was stored.</summary>
    public TimeSpan TimeToLive { get; }

    /// <summary>Stores <paramref name="value"/> as the last known good one, replacing any previous value and restarting its time to live.</summary>
    /// <param name="value">The successful result.</param>
    public void Set(T value) => Volatile.Write(ref _entry, new Entry(value, _timeProvider.GetTimestamp()));

    /// <summary>Gets the stored value if there is one and it is younger than <see cref="TimeToLive"/>.</summary>
    /// <param name="value">The stored value, or <see langword="default"/> when the method returns <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when a value younger than the time to live was found.</returns>
    public bool TryGet([MaybeNullWhen(false)] out T value)
    {
        var entry = Volatile.Read(ref _entry);
        if (entry is not null && _timeProvider.GetElapsedTime(entry.StoredAt) < TimeToLive)
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Forgets the stored value.</summary>
    public void Clear() => Volatile.Write(ref _entry, null);

    private sealed record Entry(T Value, long StoredAt);
}
