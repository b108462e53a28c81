namespace Phoenix.Gateway.RateLimiting;

/// <summary>
/// The global limit on runs in flight in front of the executors (<see cref="RateLimitingOptions.MaxConcurrentRuns"/>,
/// waiting room <see cref="RateLimitingOptions.QueueLimit"/>). Endpoints get it through
/// <c>RequireRunAdmission()</c>; a handler that streams its result past its own return calls it directly and holds
/// the admission until the run ends.
/// </summary>
internal interface IRunAdmission
{
    /// <summary>
    /// Takes a run slot, waiting in the queue (oldest first) while all are taken. Completes at once with a
    /// not-admitted <see cref="RunAdmission"/> when the queue is full too.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting (the request was aborted).</param>
    /// <returns>An admission to dispose when the run is over (also when not admitted).</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired while queued.</exception>
    ValueTask<RunAdmission> TryEnterAsync(CancellationToken cancellationToken);
}
