using BenchmarkDotNet.Attributes;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Phoenix.Resilience.Circuits;
using Phoenix.Resilience.Pipelines;

namespace Phoenix.Benchmarks;

/// <summary>
/// Success path of retry + circuit breaker + timeout: the pipeline built from Phoenix options against
/// the same strategies added to a raw Polly builder. Target: Phoenix at most 1.1× raw Polly, no extra allocation.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private static readonly RetryOptions Retry = new() { MaxRetryAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(200) };
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private ResiliencePipeline _rawPolly = ResiliencePipeline.Empty;
    private ResiliencePipeline _phoenixFailureRatio = ResiliencePipeline.Empty;
    private ResiliencePipeline _phoenixConsecutive = ResiliencePipeline.Empty;
    private ResiliencePipeline _phoenixSlowCallRate = ResiliencePipeline.Empty;
    private CircuitRegistry _circuits = null!;

    [GlobalSetup]
    public void Setup()
    {
        _circuits = new CircuitRegistry();
        var breaker = new CircuitBreakerOptions();
        _rawPolly = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Retry.MaxRetryAttempts,
                Delay = Retry.BaseDelay,
                MaxDelay = Retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
            })
            .AddTimeout(Timeout)
            .Build();
        _phoenixFailureRatio = Build("ratio", breaker);
        _phoenixConsecutive = Build("consecutive", breaker with { Mode = CircuitBreakerMode.ConsecutiveFailures });
        _phoenixSlowCallRate = Build("slow", breaker with { Mode = CircuitBreakerMode.SlowCallRate });
    }

    [GlobalCleanup]
    public void Cleanup() => _circuits.Dispose();

    [Benchmark(Baseline = true)]
    public ValueTask RawPolly() => _rawPolly.ExecuteAsync(static _ => ValueTask.CompletedTask);

    [Benchmark]
    public ValueTask PhoenixFailureRatio() => _phoenixFailureRatio.ExecuteAsync(static _ => ValueTask.CompletedTask);

    [Benchmark]
    public ValueTask PhoenixConsecutiveFailures() => _phoenixConsecutive.ExecuteAsync(static _ => ValueTask.CompletedTask);

    [Benchmark]
    public ValueTask PhoenixSlowCallRate() => _phoenixSlowCallRate.ExecuteAsync(static _ => ValueTask.CompletedTask);

    private ResiliencePipeline Build(string name, CircuitBreakerOptions breaker) =>
        new ResiliencePipelineBuilder()
            .AddPhoenixStrategies(name, new PipelineOptions
            {
                Retry = Retry,
                CircuitBreaker = breaker,
                Timeout = new TimeoutOptions { Timeout = Timeout },
            }, _circuits)
            .Build();
}
