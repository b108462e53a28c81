using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Fallbacks;
using Polly;

namespace Phoenix.Resilience.Tests.Fallbacks;

public sealed class FallbackPipelineBuilderExtensionsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task AddFallbackToDefault_CallbackThrows_ReturnsValue()
    {
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallbackToDefault("default").Build();

        var result = await pipeline.ExecuteAsync<string>(_ => throw new InvalidOperationException("boom"));

        Assert.Equal("default", result);
    }

    [Fact]
    public async Task AddFallbackToDefault_CallbackSucceeds_ReturnsResult()
    {
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallbackToDefault("default").Build();

        var result = await pipeline.ExecuteAsync(_ => ValueTask.FromResult("real"));

        Assert.Equal("real", result);
    }

    [Fact]
    public async Task AddFallbackToDefault_OperationCanceled_Propagates()
    {
        var pipeline = new ResiliencePipelineBuilder<string>().AddFallbackToDefault("default").Build();

        await Assert.ThrowsAsync<OperationCanceledException>(
            async () => await pipeline.ExecuteAsync<string>(_ => throw new OperationCanceledException()));
    }

    [Fact]
    public async Task AddFallbackToDefault_CustomPredicate_HandlesOnlyMatchingOutcomes()
    {
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddFallbackToDefault(0, new PredicateBuilder<int>().Handle<TimeoutException>().HandleResult(-1))
            .Build();

        Assert.Equal(0, await pipeline.ExecuteAsync<int>(_ => throw new TimeoutException()));
        Assert.Equal(0, await pipeline.ExecuteAsync(_ => ValueTask.FromResult(-1)));
        await Assert.ThrowsAsync<InvalidOperationException>(
            async () => await pipeline.ExecuteAsync<int>(_ => throw new InvalidOperationException()));
    }

    [Fact]
    public async Task AddLastKnownGoodFallback_FailureAfterSuccess_ReturnsCachedValue()
    {
        var cache = new LastKnownGoodCache<string>(TimeSpan.FromMinutes(1), _time);
        var pipeline = new ResiliencePipelineBuilder<string>().AddLastKnownGoodFallback(cache).Build();
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult("good"));
        _time.Advance(TimeSpan.FromSeconds(59));

        var result = await pipeline.ExecuteAsync<string>(_ => throw new InvalidOperationException("boom"));

        Assert.Equal("good", result);
    }

    [Fact]
    public async Task AddLastKnownGoodFallback_FailureAfterTtlExpired_PropagatesOriginalFailure()
    {
        var cache = new LastKnownGoodCache<string>(TimeSpan.FromMinutes(1), _time);
        var pipeline = new ResiliencePipelineBuilder<string>().AddLastKnownGoodFallback(cache).Build();
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult("good"));
        _time.Advance(TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            async () => await pipeline.ExecuteAsync<string>(_ => throw new InvalidOperationException("boom")));

        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public async Task AddLastKnownGoodFallback_NoSuccessYet_PropagatesOriginalFailure()
    {
        var cache = new LastKnownGoodCache<string>(TimeSpan.FromMinutes(1), _time);
        var pipeline = new ResiliencePipelineBuilder<string>().AddLastKnownGoodFallback(cache).Build();

        await Assert.ThrowsAsync<InvalidOperationException>(
            async () => await pipeline.ExecuteAsync<string>(_ => throw new InvalidOperationException("boom")));
    }

    [Fact]
    public async Task AddLastKnownGoodFallback_LatestSuccess_IsTheOneServed()
    {
        var cache = new LastKnownGoodCache<int>(TimeSpan.FromMinutes(1), _time);
        var pipeline = new ResiliencePipelineBuilder<int>().AddLastKnownGoodFallback(cache).Build();
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(1));
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(2));

        var result = await pipeline.ExecuteAsync<int>(_ => throw new InvalidOperationException());

        Assert.Equal(2, result);
    }

    [Fact]
    public async Task AddLastKnownGoodFallback_HandledResult_IsNotCached()
    {
        var cache = new LastKnownGoodCache<int>(TimeSpan.FromMinutes(1), _time);
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddLastKnownGoodFallback(cache, new PredicateBuilder<int>().Handle<InvalidOperationException>().HandleResult(-1))
            .Build();
        await pipeline.ExecuteAsync(_ => ValueTask.FromResult(7));

        var replaced = await pipeline.ExecuteAsync(_ => ValueTask.FromResult(-1));

        Assert.Equal(7, replaced);
        Assert.True(cache.TryGet(out var cached));
        Assert.Equal(7, cached);
    }

    [Fact]
    public async Task AddFallbackChain_CallbackFails_TriesAlternativesInOrderUntilOneSucceeds()
    {
        var calls = new List<string>();
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddFallbackChain(
                _ =>
                {
                    calls.Add("first");
                    throw new InvalidOperationException("first failed");
                },
                _ =>
                {
                    calls.Add("second");
                    return ValueTask.FromResult("second");
                },
                _ =>
                {
                    calls.Add("third");
                    return ValueTask.FromResult("third");
                })
            .Build();

        var result = await pipeline.ExecuteAsync<string>(_ => throw new InvalidOperationException("primary failed"));

        Assert.Equal("second", result);
        Assert.Equal(["first", "second"], calls);
    }

    [Fact]
    public async Task AddFallbackChain_AllAlternativesFail_PropagatesOriginalFailure()
    {
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddFallbackChain(
                _ =>
                {
                    calls++;
                    throw new InvalidOperationException("first failed");
                },
                _ =>
                {
                    calls++;
                    throw new TimeoutException("second failed");
                })
            .Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            async () => await pipeline.ExecuteAsync<string>(_ => throw new InvalidOperationException("primary failed")));

        Assert.Equal("primary failed", error.Message);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task AddFallbackChain_CallbackSucceeds_DoesNotCallAlternatives()
    {
        var calls = 0;
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddFallbackChain(_ =>
            {
                calls++;
                return ValueTask.FromResult("alternative");
            })
            .Build();

        var result = await pipeline.ExecuteAsync(_ => ValueTask.FromResult("primary"));

        Assert.Equal("primary", result);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task AddFallbackChain_AlternativeResultHandledByPredicate_TriesNext()
    {
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddFallbackChain(
                [_ => ValueTask.FromResult(-1), _ => ValueTask.FromResult(2)],
                new PredicateBuilder<int>().Handle<InvalidOperationException>().HandleResult(-1))
            .Build();

        var result = await pipeline.ExecuteAsync(_ => ValueTask.FromResult(-1));

        Assert.Equal(2, result);
    }

    [Fact]
    public void AddFallbackChain_NoAlternatives_Throws() =>
        Assert.Throws<ArgumentException>(() => new ResiliencePipelineBuilder<int>().AddFallbackChain());

    [Fact]
    public async Task AddFeatureGate_Disabled_DoesNotExecuteCallbackAndAnswersWithAlternative()
    {
        var executed = false;
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddFeatureGate(() => false, _ => ValueTask.FromResult("disabled"))
            .Build();

        var result = await pipeline.ExecuteAsync(_ =>
        {
            executed = true;
            return ValueTask.FromResult("real");
        });

        Assert.Equal("disabled", result);
        Assert.False(executed);
    }

    [Fact]
    public async Task AddFeatureGate_Enabled_ExecutesCallback()
    {
        var alternativeCalled = false;
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddFeatureGate(() => true, _ =>
            {
                alternativeCalled = true;
                return ValueTask.FromResult("disabled");
            })
            .Build();

        var result = await pipeline.ExecuteAsync(_ => ValueTask.FromResult("real"));

        Assert.Equal("real", result);
        Assert.False(alternativeCalled);
    }

    [Fact]
    public async Task AddFeatureGate_FlagChanges_IsReadOnEveryExecution()
    {
        var enabled = true;
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddFeatureGate(() => enabled, _ => ValueTask.FromResult("disabled"))
            .Build();

        var first = await pipeline.ExecuteAsync(_ => ValueTask.FromResult("real"));
        enabled = false;
        var second = await pipeline.ExecuteAsync(_ => ValueTask.FromResult("real"));

        Assert.Equal("real", first);
        Assert.Equal("disabled", second);
    }

    [Fact]
    public async Task AddFeatureGate_AlternativeThrows_PropagatesItsException()
    {
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddFeatureGate(() => false, _ => throw new NotSupportedException("off"))
            .Build();

        await Assert.ThrowsAsync<NotSupportedException>(async () => await pipeline.ExecuteAsync(_ => ValueTask.FromResult("real")));
    }
}
