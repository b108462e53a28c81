namespace Phoenix.Operations.Tests.Metrics;

/// <summary>The test classes that share one <see cref="MetricsStackFixture"/> (one stack, one Prometheus, one scrape).</summary>
[CollectionDefinition(Name)]
public sealed class MetricsStackCollection : ICollectionFixture<MetricsStackFixture>
{
    public const string Name = "Metrics stack";
}
