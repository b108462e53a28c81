namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// A service's managed heap right after a full GC induced in it, without the free space between objects
/// (fragmentation): what is live, not what is waiting to be collected.
/// </summary>
internal static class ManagedHeap
{
    /// <summary>
    /// Induces <paramref name="collections"/> full GCs in <paramref name="pid"/> one after the other (a second one also
    /// takes what finalizers and pool trimming let go in the first), then reads its heap size and fragmentation after
    /// the last GC from <paramref name="baseUrl"/><c>/metrics</c>.
    /// </summary>
    public static async Task<long> AfterFullGcAsync(int pid, Uri baseUrl, int collections = 1)
    {
        for (var i = 0; i < collections; i++)
        {
            await DiagnosticsIpc.InduceFullGcAsync(
                pid,
                async () => PrometheusText.Sum(await PrometheusText.ScrapeAsync(baseUrl), "dotnet_gc_collections_total", "gc_heap_generation=\"gen2\"") ?? 0,
                TimeSpan.FromSeconds(60));
        }

        var metrics = await PrometheusText.ScrapeAsync(baseUrl);
        var size = PrometheusText.Sum(metrics, "dotnet_gc_last_collection_heap_size_bytes")
            ?? throw new InvalidOperationException("no dotnet_gc_last_collection_heap_size_bytes at " + baseUrl);
        return (long)(size - (PrometheusText.Sum(metrics, "dotnet_gc_last_collection_heap_fragmentation_size_bytes") ?? 0));
    }
}
