using System.Runtime.Versioning;
using Phoenix.Operations.Tests.Metrics;

namespace Phoenix.Operations.Tests.Alerts;

/// <summary>
/// The rules of deploy/prometheus/alerts.yml as a real Prometheus loads them (its own YAML and PromQL parsers, read
/// back through <c>/api/v1/rules</c>): Prometheus is started with nothing to scrape, asked once, and stopped.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class AlertRulesFixture : IAsyncLifetime
{
    /// <summary>Every rule, recording and alerting.</summary>
    internal IReadOnlyList<LoadedRule> Rules { get; private set; } = [];

    /// <summary>The alerting rules.</summary>
    internal IReadOnlyList<LoadedRule> Alerts => [.. Rules.Where(r => r.IsAlert)];

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        await using var prometheus = await PrometheusServer.StartAsync($"""
            global:
              evaluation_interval: 1m
            rule_files:
              - "{RepositoryFiles.AlertRules}"
            """);
        Rules = await prometheus.RulesAsync();
    }

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;
}
