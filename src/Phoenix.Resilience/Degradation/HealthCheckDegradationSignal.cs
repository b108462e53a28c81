using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Phoenix.Resilience.Degradation;

/// <summary>
/// Feeds an <see cref="IHealthCheck"/> into degraded mode: the check runs on its own
/// <see cref="TimeProvider"/> timer (and on <see cref="RefreshAsync"/>), and the signal is degraded while
/// the last result is <see cref="HealthStatus.Degraded"/> or worse (configurable). A check that throws
/// counts as <see cref="HealthStatus.Unhealthy"/>. Until the first check completes the signal is not degraded.
/// </summary>
/// <remarks>
/// Do not wrap the degraded-mode health check itself: it would keep the service degraded forever.
/// Register as <c>services.AddSingleton&lt;IDegradationSignal&gt;(sp =&gt; new HealthCheckDegradationSignal(...))</c>.
/// </remarks>
public sealed class HealthCheckDegradationSignal : IDegradationSignal, IDisposable
{
    private readonly IHealthCheck _healthCheck;
    private readonly HealthCheckRegistration _registration;
    private readonly HealthStatus _degradedAt;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private readonly ITimer _timer;
    private HealthCheckResult? _lastResult;
    private int _refreshing;

    /// <summary>Wraps <paramref name="healthCheck"/> and starts checking it at once, then every <paramref name="interval"/>.</summary>
    /// <param name="name">The signal's name (also the health check registration name passed to the check).</param>
    /// <param name="healthCheck">The check to run.</param>
    /// <param name="timeProvider">The clock that drives the periodic check.</param>
    /// <param name="interval">How often the check runs; default 5 s; must be positive.</param>
    /// <param name="degradedAt">The best status that still counts as degraded; default <see cref="HealthStatus.Degraded"/> (so Unhealthy counts too). Use <see cref="HealthStatus.Unhealthy"/> to ignore Degraded results.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="healthCheck"/> or <paramref name="timeProvider"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is zero or negative, or <paramref name="degradedAt"/> is <see cref="HealthStatus.Healthy"/>.</exception>
    public HealthCheckDegradationSignal(
        string name,
        IHealthCheck healthCheck,
        TimeProvider timeProvider,
        TimeSpan? interval = null,
        HealthStatus degradedAt = HealthStatus.Degraded)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(healthCheck);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var period = interval ?? TimeSpan.FromSeconds(5);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero, nameof(interval));
        if (degradedAt >= HealthStatus.Healthy)
        {
            throw new ArgumentOutOfRangeException(nameof(degradedAt), degradedAt, "Healthy cannot count as degraded.");
        }

        Name = name;
        _healthCheck = healthCheck;
        _degradedAt = degradedAt;
        _registration = new HealthCheckRegistration(name, healthCheck, HealthStatus.Unhealthy, tags: null);
        _timer = timeProvider.CreateTimer(static self => _ = ((HealthCheckDegradationSignal)self!).RefreshFromTimerAsync(), this, TimeSpan.Zero, period);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool IsDegraded => LastResult is { } result && result.Status <= _degradedAt;

    /// <summary>The result of the last completed check, or <see langword="null"/> before the first one.</summary>
    public HealthCheckResult? LastResult
    {
        get
        {
            lock (_gate)
            {
                return _lastResult;
            }
        }
    }

    /// <summary>Runs the check now and stores its result.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether the signal is degraded after this check.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken = default)
    {
        HealthCheckResult result;
        try
        {
            result = await _healthCheck.CheckHealthAsync(new HealthCheckContext { Registration = _registration }, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            result = new HealthCheckResult(HealthStatus.Unhealthy, "The health check threw.", ex);
        }

        lock (_gate)
        {
            _lastResult = result;
        }

        return IsDegraded;
    }

    /// <summary>Stops the periodic check and cancels one in progress.</summary>
    public void Dispose()
    {
        _timer.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }

    private async Task RefreshFromTimerAsync()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1)
        {
            return;
        }

        try
        {
            await RefreshAsync(_disposed.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Disposed while checking.
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }
}
