using System.Threading.RateLimiting;
using Polly;
using Polly.Retry;
using Phoenix.Resilience.Circuits;

namespace Phoenix.Resilience.Pipelines;

/// <summary>Builds a Phoenix pipeline from <see cref="PipelineOptions"/> with Polly's own strategies.</summary>
public static class PipelineBuilderExtensions
{
    /// <summary>
    /// Adds the strategies <paramref name="options"/> asks for, outside in: bulkhead (Polly concurrency
    /// limiter), retry (exponential backoff, optional jitter, Retry-After honored, capped by
    /// <see cref="RetryOptions.MaxDelay"/>), circuit breaker (registered in <paramref name="circuits"/> as
    /// <paramref name="name"/>), per-attempt timeout.
    /// </summary>
    /// <param name="builder">The builder to add to.</param>
    /// <param name="name">The pipeline's name; also its circuit's name.</param>
    /// <param name="options">What to add; validated already.</param>
    /// <param name="circuits">Registry the breaker reports to.</param>
    /// <param name="predicates">Which failures retry and break. Default <see cref="PipelinePredicates.Default"/>.</param>
    public static ResiliencePipelineBuilder AddPhoenixStrategies(
        this ResiliencePipelineBuilder builder,
        string name,
        PipelineOptions options,
        CircuitRegistry circuits,
        PipelinePredicates? predicates = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(circuits);
        predicates ??= PipelinePredicates.Default;

        if (options.Bulkhead is { } bulkhead)
        {
            builder.AddConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = bulkhead.MaxConcurrency,
                QueueLimit = bulkhead.QueueLimit,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });
        }

        if (options.Retry is { MaxRetryAttempts: > 0 } retry)
        {
            builder.AddRetry(CreateRetry(retry, predicates.ShouldRetry));
        }

        if (options.CircuitBreaker is { } breaker)
        {
            builder.AddPhoenixCircuitBreaker(new PhoenixCircuitBreakerStrategyOptions
            {
                CircuitName = name,
                Settings = breaker,
                ShouldHandle = predicates.ShouldBreak,
                Registry = circuits,
            });
        }

        if (options.Timeout is { } timeout)
        {
            builder.AddTimeout(timeout.Timeout);
        }

        return builder;
    }

    private static RetryStrategyOptions CreateRetry(RetryOptions retry, Func<Exception, bool> shouldRetry)
    {
        var maxDelay = retry.MaxDelay;
        var honor = retry.HonorRetryAfter;
        return new RetryStrategyOptions
        {
            MaxRetryAttempts = retry.MaxRetryAttempts,
            Delay = retry.BaseDelay,
            MaxDelay = maxDelay,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = retry.UseJitter,
            ShouldHandle = args => new ValueTask<bool>(args.Outcome.Exception is { } ex && shouldRetry(ex)),
            DelayGenerator = args => new ValueTask<TimeSpan?>(
                honor && RetryAfterHint.TryGet(args.Outcome.Exception, out var hint) ? (hint < maxDelay ? hint : maxDelay) : null),
        };
    }
}
