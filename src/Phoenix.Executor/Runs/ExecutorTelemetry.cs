using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Phoenix.Executor.Runs;

/// <summary>The executor's one <see cref="ActivitySource"/> and its instruments (meter <c>Phoenix.Executor</c>).</summary>
internal sealed class ExecutorTelemetry : IDisposable
{
    public const string Name = "Phoenix.Executor";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;

    public ExecutorTelemetry(IMeterFactory meterFactory, Func<int> queueLength, Func<int> inFlight, Func<int> capacity)
    {
        _meter = meterFactory.Create(Name);
        Runs = _meter.CreateCounter<long>("phoenix.executor.runs", "{run}", "Runs finished, by status.");
        Rejections = _meter.CreateCounter<long>("phoenix.executor.rejections", "{request}", "Requests refused before running, by reason.");
        Duration = _meter.CreateHistogram<double>("phoenix.executor.run.duration", "s", "Wall time of runs.");
        StartLatency = _meter.CreateHistogram<double>("phoenix.executor.sandbox.start_latency", "s", "Time to prepare and spawn a sandbox.");
        CpuTime = _meter.CreateCounter<double>("phoenix.executor.run.cpu_time", "s", "CPU time used by runs.");
        PeakMemory = _meter.CreateHistogram<long>("phoenix.executor.run.peak_memory", "By", "Peak memory of runs.");
        _meter.CreateObservableGauge("phoenix.executor.queue.length", queueLength, "{run}", "Runs waiting for a slot.");
        _meter.CreateObservableGauge("phoenix.executor.runs.in_flight", inFlight, "{run}", "Runs executing now.");
        _meter.CreateObservableGauge("phoenix.executor.capacity", capacity, "{run}", "Runs that may execute at once.");
    }

    public Counter<long> Runs { get; }

    public Counter<long> Rejections { get; }

    public Histogram<double> Duration { get; }

    public Histogram<double> StartLatency { get; }

    public Counter<double> CpuTime { get; }

    public Histogram<long> PeakMemory { get; }

    public void Dispose() => _meter.Dispose();
}
