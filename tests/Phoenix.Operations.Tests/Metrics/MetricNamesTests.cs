using System.Runtime.Versioning;

namespace Phoenix.Operations.Tests.Metrics;

/// <summary>
/// Every metric the dashboard and the alert rules name is one the running services really expose (a sample name in
/// their /metrics, scraped in this run) or a recording rule of alerts.yml; and every dashboard query runs in Prometheus.
/// </summary>
[Collection(MetricsStackCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class MetricNamesTests(MetricsStackFixture fixture)
{
    [Fact]
    public async Task Dashboard_EveryQuery_NamesOnlyExposedMetrics()
    {
        var known = await KnownNamesAsync();

        var problems = Check(GrafanaDashboard.Load().Queries, known);

        Assert.True(problems.Count == 0, "deploy/grafana/phoenix.json names metrics the services do not expose:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task AlertRules_EveryExpression_NamesOnlyExposedMetrics()
    {
        var rules = await fixture.Prometheus.RulesAsync();
        var known = await KnownNamesAsync();

        var problems = Check(rules.Select(r => ($"{r.Type} rule '{r.Name}'", r.Query)), known);

        Assert.NotEmpty(rules);
        Assert.True(problems.Count == 0, "deploy/prometheus/alerts.yml names metrics the services do not expose:\n" + string.Join('\n', problems));
    }

    [Fact]
    public async Task Dashboard_EveryQuery_RunsInPrometheus()
    {
        var errors = new List<string>();
        foreach (var (where, expression) in GrafanaDashboard.Load().Queries)
        {
            if (await fixture.Prometheus.QueryErrorAsync(GrafanaDashboard.Runnable(expression)) is { } error)
            {
                errors.Add($"{where}: {expression}\n  {error}");
            }
        }

        Assert.True(errors.Count == 0, "Dashboard queries Prometheus refuses:\n" + string.Join('\n', errors));
    }

    /// <summary>The names a query may use: the scrape's sample names and the recording rules'.</summary>
    private async Task<IReadOnlySet<string>> KnownNamesAsync()
    {
        var rules = await fixture.Prometheus.RulesAsync();
        var known = new HashSet<string>(fixture.ExposedMetricNames, StringComparer.Ordinal);
        known.UnionWith(rules.Where(r => !r.IsAlert).Select(r => r.Name));
        return known;
    }

    private static List<string> Check(IEnumerable<(string Where, string Expression)> queries, IReadOnlySet<string> known)
    {
        var problems = new List<string>();
        foreach (var (where, expression) in queries)
        {
            var names = PromQlMetricNames.Of(expression);
            if (names.Count == 0)
            {
                problems.Add($"{where}: no metric found in {expression}");
            }

            problems.AddRange(names.Where(n => !known.Contains(n)).Select(n => $"{where}: {n}"));
        }

        return problems;
    }
}
