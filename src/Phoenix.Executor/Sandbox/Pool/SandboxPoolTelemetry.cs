using System.Diagnostics.Metrics;
using Phoenix.Executor.Runs;

namespace Phoenix.Executor.Sandbox.Pool;

/// <summary>
/// The warm pool's instruments, on the executor's one meter (<see cref="ExecutorTelemetry.Name"/>: the meter factory
/// hands out the same <see cref="Meter"/> for the same name).
/// </summary>
internal sealed class SandboxPoolTelemetry : IDisposable
{
    private readonly Meter _meter;

    public SandboxPoolTelemetry(IMeterFactory meterFactory, Func<int> size, Func<int> available)
    {
        _meter = meterFactory.Create(ExecutorTelemetry.Name);
        _meter.CreateObservableGauge("phoenix.executor.sandbox.pool.size", size, "{sandbox}", "Warm sandboxes the pool keeps (configured; 0 when off).");
        _meter.CreateObservableGauge("phoenix.executor.sandbox.pool.available", available, "{sandbox}", "Warm sandboxes ready for a run now.");
        Hits = _meter.CreateCounter<long>("phoenix.executor.sandbox.pool.hits", "{run}", "Runs that ran in a warm sandbox.");
        Misses = _meter.CreateCounter<long>("phoenix.executor.sandbox.pool.misses", "{run}", "Runs that started cold while the pool was on, by reason (empty, incompatible, unusable).");
        Failures = _meter.CreateCounter<long>("phoenix.executor.sandbox.pool.failures", "{sandbox}", "Warm sandboxes that failed to start or died while waiting, by reason (start, died).");
    }

    public Counter<long> Hits { get; }

    public Counter<long> Misses { get; }

    public Counter<long> Failures { get; }

    public void Dispose() => _meter.Dispose();
}
