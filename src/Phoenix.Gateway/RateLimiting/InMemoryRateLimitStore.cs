using System.Collections.Concurrent;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// Per-key limits counted in this process: one <see cref="System.Threading.RateLimiting.SlidingWindowRateLimiter"/>
/// per (key id, limit). A key whose limit changes (claim or default reloaded) starts a fresh window. Limiters whose
/// permits have all been back for a whole window are swept once a minute.
/// </summary>
internal sealed class InMemoryRateLimitStore : IRateLimitStore, IDisposable
{
    private readonly ConcurrentDictionary<(string KeyId, int Limit), SlidingWindowPartition> _partitions = new();
    private readonly TimeProvider _time;
    private readonly int _segments;
    private readonly ITimer _sweeper;

    public InMemoryRateLimitStore(ReloadableSnapshot<RateLimitingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _segments = options.Current.SegmentsPerWindow;
        _sweeper = time.CreateTimer(static state => ((InMemoryRateLimitStore)state!).Sweep(), this, RateLimitingOptions.Window, RateLimitingOptions.Window);
    }

    /// <summary>The number of keys with a live window (for tests and diagnostics).</summary>
    internal int PartitionCount => _partitions.Count;

    public ValueTask<RateLimitDecision> AcquireAsync(string keyId, int permitsPerMinute, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        ArgumentOutOfRangeException.ThrowIfLessThan(permitsPerMinute, 1);
        var key = (keyId, permitsPerMinute);
        while (true)
        {
            var partition = GetOrAdd(key);
            try
            {
                return ValueTask.FromResult(partition.Acquire());
            }
            catch (ObjectDisposedException)
            {
                // Swept between lookup and acquire: it was idle, so a fresh window is the same window.
                _partitions.TryRemove(new KeyValuePair<(string, int), SlidingWindowPartition>(key, partition));
            }
        }
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var partition in _partitions.Values)
        {
            partition.Dispose();
        }

        _partitions.Clear();
    }

    /// <summary>Removes the limiters that have been fully replenished for a whole window.</summary>
    internal void Sweep()
    {
        foreach (var pair in _partitions)
        {
            if (pair.Value.IdleDuration >= RateLimitingOptions.Window && _partitions.TryRemove(pair))
            {
                pair.Value.Dispose();
            }
        }
    }

    private SlidingWindowPartition GetOrAdd((string KeyId, int Limit) key)
    {
        while (true)
        {
            if (_partitions.TryGetValue(key, out var existing))
            {
                return existing;
            }

            // Not GetOrAdd(factory): a limiter that loses the race must be disposed (it owns a timer).
            var created = new SlidingWindowPartition(key.Limit, _segments, _time);
            if (_partitions.TryAdd(key, created))
            {
                return created;
            }

            created.Dispose();
        }
    }
}
