using System.Diagnostics;
using Phoenix.Resilience.Correlation;

namespace Phoenix.Resilience.Tests.Correlation;

public sealed class ErrorContextTests
{
    [Fact]
    public async Task Begin_AcrossAwait_ContextFlows()
    {
        using var scope = ErrorContext.Begin("execute", "gateway.forwarding");

        await Task.Yield();
        var seen = await Task.Run(() => ErrorContext.Current);

        Assert.Same(scope.Context, seen);
    }

    [Fact]
    public void Begin_Nested_InheritsAndOverridesAttributesThenRestoresOuter()
    {
        using var outer = ErrorContext.Begin("execute", "gateway", [new("key.id", "k1"), new("executor", "e0")]);
        using (var inner = ErrorContext.Begin("forward", "gateway.forwarding", [new("executor", "e1")]))
        {
            Assert.Equal("k1", inner.Context.Attributes["key.id"]);
            Assert.Equal("e1", inner.Context.Attributes["executor"]);
            Assert.Same(outer.Context, inner.Context.Parent);
        }

        Assert.Same(outer.Context, ErrorContext.Current);
    }

    [Fact]
    public void Begin_WithActivity_CarriesW3CTraceId()
    {
        using var activity = new Activity("req").SetIdFormat(ActivityIdFormat.W3C).Start();

        using var scope = ErrorContext.Begin("execute", "gateway");

        Assert.Equal(activity.TraceId.ToHexString(), scope.Context.TraceId);
    }

    [Fact]
    public async Task Begin_ParallelFlows_DoNotSeeEachOther()
    {
        async Task<string?> Flow(string name)
        {
            using var scope = ErrorContext.Begin(name, "test");
            await Task.Yield();
            return ErrorContext.Current?.Operation;
        }

        var results = await Task.WhenAll(Flow("a"), Flow("b"), Flow("c"));

        Assert.Equal(new string?[] { "a", "b", "c" }, results.AsEnumerable());
        Assert.Null(ErrorContext.Current);
    }
}
