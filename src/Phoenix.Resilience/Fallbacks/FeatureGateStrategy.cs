using Polly;

namespace Phoenix.Resilience.Fallbacks;

/// <summary>
/// Runs the protected callback only while a feature flag is on; while it is off the callback is not
/// executed and the alternative answers. Polly has no gate, hence this strategy.
/// </summary>
internal sealed class FeatureGateStrategy<T> : ResilienceStrategy<T>
{
    private readonly Func<bool> _isEnabled;
    private readonly Func<ResilienceContext, ValueTask<T>> _whenDisabled;

    public FeatureGateStrategy(Func<bool> isEnabled, Func<ResilienceContext, ValueTask<T>> whenDisabled)
    {
        _isEnabled = isEnabled;
        _whenDisabled = whenDisabled;
    }

    protected override ValueTask<Outcome<T>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback,
        ResilienceContext context,
        TState state)
    {
        bool enabled;
        try
        {
            enabled = _isEnabled();
        }
        catch (Exception ex)
        {
            return ValueTask.FromResult(Outcome.FromException<T>(ex));
        }

        return enabled ? callback(context, state) : AnswerDisabledAsync(context);
    }

    private async ValueTask<Outcome<T>> AnswerDisabledAsync(ResilienceContext context)
    {
        try
        {
            return Outcome.FromResult(await _whenDisabled(context).ConfigureAwait(context.ContinueOnCapturedContext));
        }
        catch (Exception ex)
        {
            return Outcome.FromException<T>(ex);
        }
    }
}
