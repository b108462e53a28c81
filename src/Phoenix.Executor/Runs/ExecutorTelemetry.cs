using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Phoenix.Executor.Runs;

/// <summary>
/// The executor's one <see cref="ActivitySource"/> and its instruments (meter <c>Phoenix.Executor</c>; OpenTelemetry
/// semantic-convention names, unit in the instrument):
/// <list type="bullet">
/// <item><c>phoenix.executor.runs</c> (<c>{run}</c>) and <c>phoenix.executor.run.duration</c> (<c>s</c>), tagged
/// <c>phoenix.run.status</c>: runs finished and their wall time;</item>
/// <item><c>phoenix.executor.rejections</c> (<c>{request}</c>), tagged <c>reason</c> (<c>policy</c>,
/// <c>validation</c>, <c>queue_full</c>, <c>shutting_down</c>): requests refused before running;</item>
/// <item><c>phoenix.executor.sandbox.start.duration</c> (<c>s</c>): time to prepare and spawn a sandbox;</item>
/// <item><c>phoenix.executor.run.cpu.time</c> (<c>s</c>) and <c>phoenix.executor.run.peak_memory</c> (<c>By</c>):
/// what runs used;</item>
/// <item>gauges <c>phoenix.executor.run.in_flight</c>, <c>phoenix.executor.capacity</c> (run slots),
/// <c>phoenix.executor.queue.length</c> and <c>phoenix.executor.queue.capacity</c>, all <c>{run}</c>.</item>
/// </list>
/// </summary>
internal sealed class ExecutorTelemetry : IDisposable
{
    public const string Name = "Phoenix.Executor";

    public const string RunsName = "phoenix.executor.runs";
    public const string RejectionsName = "phoenix.executor.rejections";
    public const string RunDurationName = "phoenix.executor.run.duration";
    public const string SandboxStartDurationName = "phoenix.executor.sandbox.start.duration";
    public const string RunCpuTimeName = "phoenix.executor.run.cpu.time";
    public const string RunPeakMemoryName = "phoenix.executor.run.peak_memory";
    public const string RunInFlightName = "phoenix.executor.run.in_flight";
    public const string CapacityName = "phoenix.executor.capacity";
    public const string QueueLengthName = "phoenix.executor.queue.length";
    public const string QueueCapacityName = "phoenix.executor.queue.capacity";

    public static readonly ActivitySource ActivitySource = new(Name);

    // Runs last from milliseconds (the default timeout is 10 s) to minutes.
    private static readonly InstrumentAdvice<double> RunDurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    };

    // A warm start takes milliseconds, a cold bubblewrap launch tens to hundreds.
    private static readonly InstrumentAdvice<double> StartDurationAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5],
    };

    // 1 MiB to 8 GiB in powers of two (the default memory limit is 512 MiB).
    private static readonly InstrumentAdvice<long> PeakMemoryAdvice = new()
    {
        HistogramBucketBoundaries = [.. Enumerable.Range(20, 14).Select(power => 1L << power)],
    };

    private readonly Meter _meter;

    public ExecutorTelemetry(IMeterFactory meterFactory, Func<int> queueLength, Func<int> inFlight, ExecutorOptions options)
    {
        _meter = meterFactory.Create(Name);
        Runs = _meter.CreateCounter<long>(RunsName, "{run}", "Runs finished, by status.");
        Rejections = _meter.CreateCounter<long>(RejectionsName, "{request}", "Requests refused before running, by reason.");
        Duration = _meter.CreateHistogram<double>(RunDurationName, "s", "Wall time of runs, by status.", tags: null, RunDurationAdvice);
        StartLatency = _meter.CreateHistogram<double>(SandboxStartDurationName, "s", "Time to prepare and spawn a sandbox.", tags: null, StartDurationAdvice);
        CpuTime = _meter.CreateCounter<double>(RunCpuTimeName, "s", "CPU time used by runs.");
        PeakMemory = _meter.CreateHistogram<long>(RunPeakMemoryName, "By", "Peak memory of runs.", tags: null, PeakMemoryAdvice);
        _meter.CreateObservableGauge(RunInFlightName, inFlight, "{run}", "Runs executing now.");
        _meter.CreateObservableGauge(CapacityName, () => options.MaxConcurrentRuns, "{run}", "Runs that may execute at once.");
        _meter.CreateObservableGauge(QueueLengthName, queueLength, "{run}", "Runs waiting for a slot.");
        _meter.CreateObservableGauge(QueueCapacityName, () => options.QueueLength, "{run}", "Runs that may wait for a slot; more are refused (queue_full).");
    }

    public Counter<long> Runs { get; }

    public Counter<long> Rejections { get; }

    public Histogram<double> Duration { get; }

    public Histogram<double> StartLatency { get; }

    public Counter<double> CpuTime { get; }

    public Histogram<long> PeakMemory { get; }

    public void Dispose() => _meter.Dispose();
}
