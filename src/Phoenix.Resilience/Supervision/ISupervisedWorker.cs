namespace Phoenix.Resilience.Supervision;

/// <summary>
/// A long-running background job run by the supervisor (register with
/// <see cref="SupervisionServiceCollectionExtensions.AddSupervisedWorker{TWorker}"/>).
/// </summary>
/// <remarks>
/// Throwing is a crash: the worker is restarted with exponential backoff, and stopped for good after a
/// crash loop. Returning is a completion: the worker is not restarted (state
/// <see cref="SupervisedWorkerState.Completed"/>); a worker meant to run for the life of the service
/// should loop until <c>stoppingToken</c> is cancelled. Throwing <see cref="OperationCanceledException"/>
/// after <c>stoppingToken</c> was cancelled is a clean stop.
/// </remarks>
public interface ISupervisedWorker
{
    /// <summary>A unique, stable name used in logs, metrics (tag <c>worker</c>) and health.</summary>
    string Name { get; }

    /// <summary>Does the work until <paramref name="stoppingToken"/> is cancelled (service shutdown).</summary>
    /// <param name="stoppingToken">Cancelled when the service stops; stop promptly then.</param>
    /// <returns>A task that completes when the worker stops.</returns>
    Task RunAsync(CancellationToken stoppingToken);
}
