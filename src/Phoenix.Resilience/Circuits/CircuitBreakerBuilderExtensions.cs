using Polly;
using Polly.CircuitBreaker;
using Phoenix.Resilience.Pipelines;

namespace Phoenix.Resilience.Circuits;

/// <summary>Adds a circuit breaker of any <see cref="CircuitBreakerMode"/> that reports to a <see cref="CircuitRegistry"/>.</summary>
public static class CircuitBreakerBuilderExtensions
{
    /// <summary>
    /// Adds a breaker. <see cref="CircuitBreakerMode.FailureRatio"/> is Polly's own breaker, wired to the registry;
    /// the other modes are <see cref="PhoenixCircuitBreakerStrategy"/>. Open circuits reject with
    /// <see cref="BrokenCircuitException"/>.
    /// </summary>
    /// <exception cref="System.ComponentModel.DataAnnotations.ValidationException">The options are not valid.</exception>
    public static ResiliencePipelineBuilder AddPhoenixCircuitBreaker(this ResiliencePipelineBuilder builder, PhoenixCircuitBreakerStrategyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Registry, "options.Registry");
        var settings = options.Settings;
        if (settings.Mode != CircuitBreakerMode.FailureRatio)
        {
            return builder.AddStrategy(context => new PhoenixCircuitBreakerStrategy(options, context.TimeProvider, context.Telemetry), options);
        }

        // Polly's breaker starts closed and cannot be told otherwise; the registry follows it.
        var entry = options.Registry.GetOrAdd(options.CircuitName, settings.Mode, settings.SamplingDuration);
        entry.Transition(CircuitState.Closed);
        var shouldHandle = options.ShouldHandle;
        var native = new CircuitBreakerStrategyOptions
        {
            Name = options.Name,
            FailureRatio = settings.FailureRatio,
            MinimumThroughput = settings.MinimumThroughput,
            SamplingDuration = settings.SamplingDuration,
            BreakDuration = settings.BreakDuration,
            ShouldHandle = args =>
            {
                var failure = args.Outcome.Exception is { } exception && shouldHandle(exception);
                entry.Record(failure, slow: false);
                return failure ? PredicateResult.True() : PredicateResult.False();
            },
            OnOpened = _ =>
            {
                entry.Transition(CircuitState.Open);
                return ValueTask.CompletedTask;
            },
            OnHalfOpened = _ =>
            {
                entry.Transition(CircuitState.HalfOpen);
                return ValueTask.CompletedTask;
            },
            OnClosed = _ =>
            {
                entry.Transition(CircuitState.Closed);
                return ValueTask.CompletedTask;
            },
        };
        return builder.AddCircuitBreaker(native);
    }
}
