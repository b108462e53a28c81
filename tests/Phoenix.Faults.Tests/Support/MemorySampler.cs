using System.Collections.Concurrent;
using System.Diagnostics;

namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// Samples the resident memory (<c>VmRSS</c>) of services on an interval, and their managed heap after the last GC
/// from their <c>/metrics</c> (<c>dotnet_gc_last_collection_heap_size_bytes</c>, all generations). One sample is noisy
/// (GC saw-tooth, pools growing and trimming); <see cref="Growth"/> compares medians of many.
/// </summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, (Func<int?> Pid, Uri? Metrics)> _services;
    private readonly TimeSpan _interval;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<MemorySample> _samples = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private static readonly TimeSpan HeapInterval = TimeSpan.FromSeconds(3);

    public MemorySampler(IReadOnlyDictionary<string, (Func<int?> Pid, Uri? Metrics)> services, TimeSpan interval)
    {
        _services = services;
        _interval = interval;
        _loop = Task.Run(LoopAsync);
    }

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<MemorySample> Samples => _samples.ToArray();

    /// <summary>Medians of the first and the last quarter of <paramref name="service"/>'s samples within [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public MemoryGrowth Growth(string service, TimeSpan from, TimeSpan to)
    {
        var samples = Samples.Where(s => s.Service == service && s.At >= from && s.At <= to).OrderBy(s => s.At).ToList();
        if (samples.Count < 8)
        {
            throw new InvalidOperationException($"Only {samples.Count} memory samples of {service} between {from} and {to}.");
        }

        var quarter = samples.Count / 4;
        var first = samples.Take(quarter).ToList();
        var last = samples.Skip(samples.Count - quarter).ToList();
        return new MemoryGrowth(
            service,
            Median(first.Select(s => s.ResidentBytes)),
            Median(last.Select(s => s.ResidentBytes)),
            MedianOrNull(first.Select(s => s.ManagedHeapBytes)),
            MedianOrNull(last.Select(s => s.ManagedHeapBytes)),
            samples.Count);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static long Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static long? MedianOrNull(IEnumerable<long?> values)
    {
        var known = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        return known.Length == 0 ? null : Median(known);
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_interval);
        var heapDue = TimeSpan.Zero;
        var heaps = new Dictionary<string, long?>(StringComparer.Ordinal);
        try
        {
            do
            {
                // Resident memory every tick (cheap); the managed heap from /metrics every few seconds (a scrape costs the service work).
                var scrape = Now >= heapDue;
                foreach (var (service, (pid, metrics)) in _services)
                {
                    if (pid() is not { } id || ProcessMemory.ResidentBytes(id) is not { } rss)
                    {
                        continue;
                    }

                    if (scrape && metrics is not null)
                    {
                        heaps[service] = await ManagedHeapAsync(metrics);
                    }

                    _samples.Enqueue(new MemorySample(Now, service, rss, heaps.GetValueOrDefault(service)));
                }

                if (scrape)
                {
                    heapDue = Now + HeapInterval;
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<long?> ManagedHeapAsync(Uri metrics)
    {
        try
        {
            return (long?)PrometheusText.Sum(await PrometheusText.ScrapeAsync(metrics), "dotnet_gc_last_collection_heap_size_bytes");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null; // a slow scrape under load: resident memory only
        }
    }
}
