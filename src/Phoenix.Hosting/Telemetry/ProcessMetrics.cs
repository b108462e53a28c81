using System.Diagnostics.Metrics;

namespace Phoenix.Hosting.Telemetry;

/// <summary>
/// Process gauges the runtime instrumentation lacks, on meter <c>Phoenix.Hosting</c>:
/// <c>phoenix.process.memory.limit</c> (<c>By</c>), the memory the process may use as the GC sees it
/// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: the container's or cgroup's limit when there is one, else
/// the machine's memory). Divided into <c>dotnet.process.memory.working_set</c> it is the memory use that the
/// "resource use" alert watches.
/// </summary>
internal sealed class ProcessMetrics
{
    /// <summary>Name of the memory limit gauge.</summary>
    public const string MemoryLimitName = "phoenix.process.memory.limit";

    public ProcessMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        HostingTelemetry.CreateMeter(meterFactory).CreateObservableGauge(
            MemoryLimitName,
            ObserveMemoryLimit,
            "By",
            "Memory the process may use: the container or cgroup limit the GC sees, else the machine's memory.");
    }

    /// <summary>The limit, or nothing before the runtime knows it (no GC yet).</summary>
    private static IEnumerable<Measurement<long>> ObserveMemoryLimit()
    {
        var limit = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return limit > 0 ? [new Measurement<long>(limit)] : [];
    }
}
