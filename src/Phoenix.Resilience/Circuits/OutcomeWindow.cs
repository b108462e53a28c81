namespace Phoenix.Resilience.Circuits;

/// <summary>
/// Rolling counts of calls, failures and slow calls over a sampling duration, kept in ten buckets
/// so old outcomes age out smoothly. Not thread-safe: the owner locks.
/// </summary>
internal sealed class OutcomeWindow
{
    private const int BucketCount = 10;
    private readonly long[] _bucketStart = new long[BucketCount];
    private readonly int[] _calls = new int[BucketCount];
    private readonly int[] _failures = new int[BucketCount];
    private readonly int[] _slow = new int[BucketCount];
    private readonly long _bucketTicks;

    public OutcomeWindow(TimeSpan samplingDuration, long timestampFrequency)
    {
        _bucketTicks = Math.Max(1, (long)(samplingDuration.TotalSeconds * timestampFrequency / BucketCount));
        Array.Fill(_bucketStart, long.MinValue);
    }

    public void Add(long timestamp, bool failure, bool slow)
    {
        var index = Bucket(timestamp);
        _calls[index]++;
        if (failure)
        {
            _failures[index]++;
        }

        if (slow)
        {
            _slow[index]++;
        }
    }

    public (int Calls, int Failures, int Slow) Totals(long timestamp)
    {
        var oldest = Align(timestamp) - ((BucketCount - 1) * _bucketTicks);
        int calls = 0, failures = 0, slow = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            if (_bucketStart[i] >= oldest)
            {
                calls += _calls[i];
                failures += _failures[i];
                slow += _slow[i];
            }
        }

        return (calls, failures, slow);
    }

    public void Clear()
    {
        Array.Fill(_bucketStart, long.MinValue);
        Array.Clear(_calls);
        Array.Clear(_failures);
        Array.Clear(_slow);
    }

    private int Bucket(long timestamp)
    {
        var start = Align(timestamp);
        var index = (int)((ulong)(start / _bucketTicks) % BucketCount);
        if (_bucketStart[index] != start)
        {
            _bucketStart[index] = start;
            _calls[index] = 0;
            _failures[index] = 0;
            _slow[index] = 0;
        }

        return index;
    }

    private long Align(long timestamp) => timestamp - (((timestamp % _bucketTicks) + _bucketTicks) % _bucketTicks);
}
