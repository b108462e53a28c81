using System.Collections.Concurrent;
using System.Diagnostics;

namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// Samples the resident memory (<c>VmRSS</c>) of services on an interval. One sample is noisy (GC saw-tooth, pools
/// growing and trimming): <see cref="Median"/> and <see cref="Max"/> summarise a window of them.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, Func<int?>> _services;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<MemorySample> _samples = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MemorySampler(IReadOnlyDictionary<string, Func<int?>> services, TimeSpan interval)
    {
        _services = services;
        _loop = Task.Run(() => LoopAsync(interval));
    }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>The median resident memory of <paramref name="service"/> over [<paramref name="from"/>, <paramref name="to"/>], and how many samples it took.</summary>
    public (long Bytes, int Samples) Median(string service, TimeSpan from, TimeSpan to)
    {
        var values = Window(service, from, to);
        return (values[values.Length / 2], values.Length);
    }

    /// <summary>The highest resident memory of <paramref name="service"/> over [<paramref name="from"/>, <paramref name="to"/>], and how many samples it took.</summary>
    public (long Bytes, int Samples) Max(string service, TimeSpan from, TimeSpan to)
    {
        var values = Window(service, from, to);
        return (values[^1], values.Length);
    }

    /// <summary>
    /// Whether <paramref name="service"/>'s resident memory has stopped rising at <paramref name="now"/>: its highest over
    /// the last <paramref name="window"/> is at most <paramref name="tolerance"/> above its highest over the window before.
    /// </summary>
    public bool StoppedRising(string service, TimeSpan now, TimeSpan window, double tolerance)
    {
        var recent = _samples.Where(s => s.Service == service && s.At > now - window && s.At <= now).Select(s => s.ResidentBytes).ToArray();
        var before = _samples.Where(s => s.Service == service && s.At > now - 2 * window && s.At <= now - window).Select(s => s.ResidentBytes).ToArray();
        return recent.Length >= 4 && before.Length >= 4 && recent.Max() <= before.Max() * (1 + tolerance);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private long[] Window(string service, TimeSpan from, TimeSpan to)
    {
        var values = _samples.Where(s => s.Service == service && s.At >= from && s.At <= to).Select(s => s.ResidentBytes).Order().ToArray();
        return values.Length >= 4 ? values : throw new InvalidOperationException($"Only {values.Length} memory samples of {service} between {from} and {to}.");
    }

    private async Task LoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                foreach (var (service, pid) in _services)
                {
                    if (pid() is { } id && ProcessMemory.ResidentBytes(id) is { } rss)
                    {
                        _samples.Enqueue(new MemorySample(Now, service, rss));
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
