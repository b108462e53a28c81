using System.Numerics;

namespace Phoenix.Gateway.Vitals;

/// <summary>
/// Latencies in log-linear buckets of microseconds, HDR-style: exact below 16 µs, then every power of two split into
/// 16 equal sub-buckets, up to 2^32 µs (about 71 minutes; longer values count as that). 464 counters, whatever the
/// traffic. A percentile is answered as the middle of the bucket that holds the nearest-rank sample, so it is
/// within 1/32 (3.2 %) of that sample. Not thread-safe: <see cref="RequestStats"/> guards it.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>Number of buckets.</summary>
    public const int BucketCount = SubBuckets + ((MaxExponent - SubBucketBits + 1) * SubBuckets);

    /// <summary>The largest latency told apart, in microseconds.</summary>
    public const long MaxMicroseconds = (1L << (MaxExponent + 1)) - 1;

    private const int SubBucketBits = 4;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int MaxExponent = 31;

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Samples recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Records one latency (negative counts as 0).</summary>
    public void Add(TimeSpan latency)
    {
        _counts[IndexOf(latency.Ticks / TimeSpan.TicksPerMicrosecond)]++;
        Count++;
    }

    /// <summary>Adds every sample of this histogram to <paramref name="target"/>.</summary>
    public void AddTo(LatencyHistogram target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (Count == 0)
        {
            return;
        }

        for (var i = 0; i < BucketCount; i++)
        {
            target._counts[i] += _counts[i];
        }

        target.Count += Count;
    }

    /// <summary>Forgets every sample.</summary>
    public void Clear()
    {
        if (Count != 0)
        {
            Array.Clear(_counts);
            Count = 0;
        }
    }

    /// <summary>The nearest-rank <paramref name="quantile"/> (0 &lt; q ≤ 1) in milliseconds; null without samples.</summary>
    public double? Percentile(double quantile)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1);
        if (Count == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return ValueOf(i) / 1000.0;
            }
        }

        return ValueOf(BucketCount - 1) / 1000.0;
    }

    /// <summary>The bucket of <paramref name="microseconds"/>.</summary>
    internal static int IndexOf(long microseconds)
    {
        var value = Math.Clamp(microseconds, 0, MaxMicroseconds);
        if (value < SubBuckets)
        {
            return (int)value;
        }

        var exponent = BitOperations.Log2((ulong)value);
        var sub = (int)(value >> (exponent - SubBucketBits)) - SubBuckets;
        return SubBuckets + ((exponent - SubBucketBits) * SubBuckets) + sub;
    }

    /// <summary>The value, in microseconds, a bucket answers: the middle of its range.</summary>
    internal static double ValueOf(int index)
    {
        if (index < SubBuckets)
        {
            return index;
        }

        var shift = (index - SubBuckets) / SubBuckets;
        var sub = (index - SubBuckets) % SubBuckets;
        var lower = (long)(SubBuckets + sub) << shift;
        var width = 1L << shift;
        return lower + ((width - 1) / 2.0);
    }
}
