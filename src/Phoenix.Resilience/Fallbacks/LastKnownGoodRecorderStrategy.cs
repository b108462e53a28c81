using Polly;
using Polly.Fallback;

namespace Phoenix.Resilience.Fallbacks;

/// <summary>
/// Sits just inside the last-known-good fallback and stores every successful result in the cache.
/// "Successful" means no exception and not a result the fallback's predicate handles, so a result the
/// fallback would replace is never remembered as good.
/// </summary>
internal sealed class LastKnownGoodRecorderStrategy<T> : ResilienceStrategy<T>
{
    private readonly LastKnownGoodCache<T> _cache;
    private readonly Func<FallbackPredicateArguments<T>, ValueTask<bool>> _shouldHandle;

    public LastKnownGoodRecorderStrategy(LastKnownGoodCache<T> cache, Func<FallbackPredicateArguments<T>, ValueTask<bool>> shouldHandle)
    {
        _cache = cache;
        _shouldHandle = shouldHandle;
    }

    protected override async ValueTask<Outcome<T>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        if (outcome.Exception is null
            && !await _shouldHandle(new FallbackPredicateArguments<T>(context, outcome)).ConfigureAwait(context.ContinueOnCapturedContext))
        {
            _cache.Set(outcome.Result!);
        }

        return outcome;
    }
}
