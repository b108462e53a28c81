using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Phoenix.Resilience.Security;
using Phoenix.Resilience.Telemetry;

namespace Phoenix.Resilience.Supervision;

/// <summary>
/// The hosted service that runs every registered <see cref="ISupervisedWorker"/>, each on its own task,
/// restarts crashed ones with backoff, stops restarting a crash loop, and on shutdown cancels the
/// workers' token and waits for them until the host's shutdown timeout.
/// </summary>
internal sealed partial class WorkerSupervisor : IHostedService, IDisposable
{
    internal const string RestartsName = "phoenix.supervisor.restarts";

    private readonly SupervisedWorkerRunner[] _runners;
    private readonly ILogger _logger;
    private readonly Meter? _ownedMeter;
    private readonly CancellationTokenSource _stopping = new();
    private Task _completion = Task.CompletedTask;
    private int _started;

    /// <exception cref="InvalidOperationException">Two workers have the same name.</exception>
    public WorkerSupervisor(
        IEnumerable<ISupervisedWorker> workers,
        IOptions<SupervisorOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var list = workers.ToArray();
        var duplicates = list.GroupBy(w => w.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (duplicates.Length > 0)
        {
            throw new InvalidOperationException("Supervised worker names must be unique; duplicated: " + string.Join(", ", duplicates));
        }

        _logger = loggerFactory.CreateLogger<WorkerSupervisor>();
        var security = loggerFactory.CreateLogger(SecurityEventIds.Category);
        var meter = ResilienceTelemetry.CreateMeter(meterFactory);
        _ownedMeter = meterFactory is null ? meter : null;
        var restarts = meter.CreateCounter<long>(RestartsName, "{restart}", "Restarts of supervised workers after a crash.");
        var value = options.Value;
        _runners = [.. list.Select(w => new SupervisedWorkerRunner(w, value, timeProvider, _logger, security, restarts))];
    }

    /// <summary>Completes when every worker has stopped, completed or failed (completed before start).</summary>
    internal Task Completion => Volatile.Read(ref _completion);

    /// <summary>A snapshot of every worker, in registration order.</summary>
    public IReadOnlyList<SupervisedWorkerStatus> GetStatuses() => [.. _runners.Select(r => r.GetStatus())];

    /// <summary>Starts every worker on its own task; returns at once.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("The supervisor is already started.");
        }

        var stopping = _stopping.Token;
        var tasks = _runners.Select(r => Task.Run(() => r.SuperviseAsync(stopping), CancellationToken.None)).ToArray();
        Volatile.Write(ref _completion, Task.WhenAll(tasks));
        LogStarted(_logger, _runners.Length);
        return Task.CompletedTask;
    }

    /// <summary>Cancels the workers' token and waits for them until <paramref name="cancellationToken"/> (the host's shutdown timeout) fires; never throws for a timeout.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _started) == 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var running = GetStatuses().Where(s => s.State is SupervisedWorkerState.Running or SupervisedWorkerState.Backoff).Select(s => s.Name);
            LogStopTimedOut(_logger, string.Join(", ", running));
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _ownedMeter?.Dispose();
    }
}
