using System.Threading.RateLimiting;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Gateway.RateLimiting;

/// <summary><see cref="IRunAdmission"/> over a <see cref="ConcurrencyLimiter"/>; sizes read once at start.</summary>
internal sealed class ConcurrencyRunAdmission : IRunAdmission, IDisposable
{
    private readonly ConcurrencyLimiter _limiter;

    public ConcurrencyRunAdmission(ReloadableSnapshot<RateLimitingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.Current.MaxConcurrentRuns,
            QueueLimit = options.Current.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Slots free, runs queued and totals (for tests and diagnostics).</summary>
    internal RateLimiterStatistics? Statistics => _limiter.GetStatistics();

    public async ValueTask<RunAdmission> TryEnterAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (lease.IsAcquired)
        {
            return RunAdmission.Admitted(lease);
        }

        lease.Dispose();
        return RunAdmission.Rejected;
    }

    public void Dispose() => _limiter.Dispose();
}
