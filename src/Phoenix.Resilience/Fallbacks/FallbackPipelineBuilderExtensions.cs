using Polly;
using Polly.Fallback;

namespace Phoenix.Resilience.Fallbacks;

/// <summary>
/// Phoenix fallbacks on top of Polly's fallback strategy: a default value, the last known good
/// result, a chain of alternatives, and a feature-flag gate.
/// </summary>
/// <remarks>
/// Strategies run in the order they are added, the first one outermost: add a fallback before the
/// strategies whose failures it should replace (typically first). Unless a <c>shouldHandle</c>
/// predicate is given, a fallback handles every exception except <see cref="OperationCanceledException"/>
/// (Polly's default) and no result. A <see cref="PredicateBuilder{TResult}"/> converts to the predicate.
/// </remarks>
public static class FallbackPipelineBuilderExtensions
{
    /// <summary>Adds a fallback that answers with <paramref name="value"/> when the outcome is handled.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="value">The value returned instead of a handled outcome.</param>
    /// <param name="shouldHandle">Which outcomes to replace; default: any exception except <see cref="OperationCanceledException"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static ResiliencePipelineBuilder<T> AddFallbackToDefault<T>(
        this ResiliencePipelineBuilder<T> builder,
        T value,
        Func<FallbackPredicateArguments<T>, ValueTask<bool>>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new FallbackStrategyOptions<T>
        {
            Name = "FallbackToDefault",
            FallbackAction = _ => Outcome.FromResultAsValueTask(value),
        };
        if (shouldHandle is not null)
        {
            options.ShouldHandle = shouldHandle;
        }

        return builder.AddFallback(options);
    }

    /// <summary>
    /// Adds a fallback that answers with the last successful result held in <paramref name="cache"/>
    /// while it is younger than the cache's time to live. Every successful result (no exception and
    /// not handled by <paramref name="shouldHandle"/>) that passes through is stored in the cache.
    /// When the cache is empty or its value expired, the original outcome (the failure) propagates.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="cache">The cache; use one per operation whose results are interchangeable.</param>
    /// <param name="shouldHandle">Which outcomes to replace; default: any exception except <see cref="OperationCanceledException"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="cache"/> is <see langword="null"/>.</exception>
    public static ResiliencePipelineBuilder<T> AddLastKnownGoodFallback<T>(
        this ResiliencePipelineBuilder<T> builder,
        LastKnownGoodCache<T> cache,
        Func<FallbackPredicateArguments<T>, ValueTask<bool>>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(cache);
        var options = new FallbackStrategyOptions<T>
        {
            Name = "LastKnownGoodFallback",
            FallbackAction = args => ValueTask.FromResult(cache.TryGet(out var good) ? Outcome.FromResult(good) : args.Outcome),
        };
        if (shouldHandle is not null)
        {
            options.ShouldHandle = shouldHandle;
        }

        var predicate = options.ShouldHandle;
        return builder
            .AddFallback(options)
            .AddStrategy(_ => new LastKnownGoodRecorderStrategy<T>(cache, predicate), new PhoenixStrategyOptions("LastKnownGoodRecorder"));
    }

    /// <summary>
    /// Adds a fallback that tries <paramref name="alternatives"/> in order when the outcome is handled
    /// (any exception except <see cref="OperationCanceledException"/>), and answers with the first one
    /// that succeeds. If every alternative fails, the original outcome propagates (not an aggregate:
    /// callers and outer strategies see the failure of the operation they asked for).
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="alternatives">The alternatives, most preferred first; at least one.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="alternatives"/> (or one of them) is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="alternatives"/> is empty.</exception>
    public static ResiliencePipelineBuilder<T> AddFallbackChain<T>(
        this ResiliencePipelineBuilder<T> builder,
        params Func<ResilienceContext, ValueTask<T>>[] alternatives) =>
        AddFallbackChain(builder, alternatives, new FallbackStrategyOptions<T>().ShouldHandle);

    /// <summary>
    /// Adds a fallback that tries <paramref name="alternatives"/> in order when <paramref name="shouldHandle"/>
    /// says the outcome is a failure, and answers with the first alternative whose outcome
    /// <paramref name="shouldHandle"/> does not handle (an alternative that throws
    /// <see cref="OperationCanceledException"/> after the context's token was cancelled ends the chain with that
    /// cancellation). If every alternative fails, the original outcome propagates.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="alternatives">The alternatives, most preferred first; at least one.</param>
    /// <param name="shouldHandle">Which outcomes (of the operation and of each alternative) count as failures.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument (or one of the alternatives) is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="alternatives"/> is empty.</exception>
    public static ResiliencePipelineBuilder<T> AddFallbackChain<T>(
        this ResiliencePipelineBuilder<T> builder,
        IEnumerable<Func<ResilienceContext, ValueTask<T>>> alternatives,
        Func<FallbackPredicateArguments<T>, ValueTask<bool>> shouldHandle)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(alternatives);
        ArgumentNullException.ThrowIfNull(shouldHandle);
        var chain = alternatives.ToArray();
        if (chain.Length == 0)
        {
            throw new ArgumentException("At least one alternative is required.", nameof(alternatives));
        }

        if (Array.IndexOf(chain, null) >= 0)
        {
            throw new ArgumentNullException(nameof(alternatives), "An alternative is null.");
        }

        return builder.AddFallback(new FallbackStrategyOptions<T>
        {
            Name = "FallbackChain",
            ShouldHandle = shouldHandle,
            FallbackAction = args => TryAlternativesAsync(args, chain, shouldHandle),
        });
    }

    /// <summary>
    /// Adds a feature-flag gate: while <paramref name="isEnabled"/> returns <see langword="false"/> the
    /// protected operation (and every strategy added after this one) is not executed and
    /// <paramref name="whenDisabled"/> answers instead. The flag is read on every execution. An exception
    /// thrown by <paramref name="isEnabled"/> or <paramref name="whenDisabled"/> becomes the outcome.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="builder">The pipeline builder.</param>
    /// <param name="isEnabled">Reads the flag; must be cheap.</param>
    /// <param name="whenDisabled">Produces the answer while the flag is off.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ResiliencePipelineBuilder<T> AddFeatureGate<T>(
        this ResiliencePipelineBuilder<T> builder,
        Func<bool> isEnabled,
        Func<ResilienceContext, ValueTask<T>> whenDisabled)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(isEnabled);
        ArgumentNullException.ThrowIfNull(whenDisabled);
        return builder.AddStrategy(_ => new FeatureGateStrategy<T>(isEnabled, whenDisabled), new PhoenixStrategyOptions("FeatureGate"));
    }

    private static async ValueTask<Outcome<T>> TryAlternativesAsync<T>(
        FallbackActionArguments<T> args,
        Func<ResilienceContext, ValueTask<T>>[] alternatives,
        Func<FallbackPredicateArguments<T>, ValueTask<bool>> shouldHandle)
    {
        var context = args.Context;
        foreach (var alternative in alternatives)
        {
            if (context.CancellationToken.IsCancellationRequested)
            {
                return Outcome.FromException<T>(new OperationCanceledException(context.CancellationToken));
            }

            Outcome<T> outcome;
            try
            {
                outcome = Outcome.FromResult(await alternative(context).ConfigureAwait(context.ContinueOnCapturedContext));
            }
            catch (Exception ex)
            {
                outcome = Outcome.FromException<T>(ex);
            }

            if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            {
                return outcome;
            }

            if (!await shouldHandle(new FallbackPredicateArguments<T>(context, outcome)).ConfigureAwait(context.ContinueOnCapturedContext))
            {
                return outcome;
            }
        }

        return args.Outcome;
    }
}
