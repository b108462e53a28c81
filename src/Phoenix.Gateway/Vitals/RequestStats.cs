namespace Phoenix.Gateway.Vitals;

/// <summary>
/// A rolling window of the last <see cref="WindowSeconds"/> seconds of answered requests, in one bucket per second
/// of the injected <see cref="TimeProvider"/>'s clock: request count, error count and a <see cref="LatencyHistogram"/>.
/// Memory is fixed (60 × 464 counters) whatever the traffic. A bucket is reused when its second comes round again.
/// <list type="bullet">
/// <item>Request rate: over complete seconds only (the current second is still filling), so it lags by up to 1 s
/// and is exact for the seconds it covers.</item>
/// <item>Errors, error share and latency percentiles: over the current second and the 59 before it.</item>
/// <item>An error is a failure of the service: status ≥ 500 (including 503 load shedding and 504 timeouts).
/// 4xx are the caller's mistakes (invalid request, bad credentials, rate limit) and are not errors here.</item>
/// <item>Percentiles: nearest rank, within 3.2 % (see <see cref="LatencyHistogram"/>).</item>
/// </list>
/// Thread-safe: one short lock per request and per snapshot.
/// </summary>
internal sealed class RequestStats
{
    /// <summary>Seconds kept, the current one included.</summary>
    public const int WindowSeconds = 60;

    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly long[] _seconds = new long[WindowSeconds];
    private readonly long[] _requests = new long[WindowSeconds];
    private readonly long[] _errors = new long[WindowSeconds];
    private readonly LatencyHistogram[] _latencies = new LatencyHistogram[WindowSeconds];

    public RequestStats(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        Array.Fill(_seconds, long.MinValue);
        for (var i = 0; i < WindowSeconds; i++)
        {
            _latencies[i] = new LatencyHistogram();
        }
    }

    /// <summary>Whether <paramref name="statusCode"/> is an error of the service (≥ 500).</summary>
    public static bool IsError(int statusCode) => statusCode >= 500;

    /// <summary>Records one answered request.</summary>
    public void Record(int statusCode, TimeSpan latency)
    {
        var second = CurrentSecond();
        var slot = Slot(second);
        lock (_lock)
        {
            if (_seconds[slot] > second)
            {
                return; // A sample so late that its second has left the window.
            }

            if (_seconds[slot] != second)
            {
                _seconds[slot] = second;
                _requests[slot] = 0;
                _errors[slot] = 0;
                _latencies[slot].Clear();
            }

            _requests[slot]++;
            if (IsError(statusCode))
            {
                _errors[slot]++;
            }

            _latencies[slot].Add(latency);
        }
    }

    /// <summary>The window now; the rate over the last <paramref name="rateWindow"/> complete seconds (1 to 59).</summary>
    public RequestStatsSnapshot Snapshot(TimeSpan rateWindow)
    {
        var rateSeconds = (long)rateWindow.TotalSeconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(rateSeconds, 1, nameof(rateWindow));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rateSeconds, WindowSeconds - 1, nameof(rateWindow));

        var now = CurrentSecond();
        var merged = new LatencyHistogram();
        long requests = 0, errors = 0, rated = 0;
        lock (_lock)
        {
            for (var i = 0; i < WindowSeconds; i++)
            {
                var second = _seconds[i];
                if (second > now - WindowSeconds && second <= now)
                {
                    requests += _requests[i];
                    errors += _errors[i];
                    _latencies[i].AddTo(merged);
                }

                if (second >= now - rateSeconds && second < now)
                {
                    rated += _requests[i];
                }
            }
        }

        return new RequestStatsSnapshot((double)rated / rateSeconds, requests, errors, merged.Percentile(0.50), merged.Percentile(0.95), merged.Percentile(0.99));
    }

    private static int Slot(long second) => (int)(((second % WindowSeconds) + WindowSeconds) % WindowSeconds);

    private long CurrentSecond() => _time.GetUtcNow().ToUnixTimeSeconds();
}
