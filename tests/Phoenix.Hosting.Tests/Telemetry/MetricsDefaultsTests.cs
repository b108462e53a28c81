using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Phoenix.Hosting.Telemetry;
using Phoenix.Hosting.Tests.Support;

namespace Phoenix.Hosting.Tests.Telemetry;

/// <summary>What <see cref="MetricsDefaults"/> adds, as Prometheus scrapes it from a real service-defaults host.</summary>
[Collection(ProcessWideMetricsCollection.Name)]
public sealed partial class MetricsDefaultsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AddServiceDefaults_ProbeAndScrapeRequests_NotInHttpServerMetrics()
    {
        var app = LoopbackApp.CreateBuilder().AddServiceDefaults().Build();
        app.MapDefaultEndpoints();
        app.MapGet("/health", () => "SERVING");
        app.MapGet("/api/v1/ping", () => "pong");
        await using var host = await LoopbackApp.StartAsync(app);

        foreach (var path in new[] { "/healthz", "/readyz", "/health", "/metrics", "/api/v1/ping" })
        {
            using var response = await host.Client.GetAsync(path);
        }

        // The scrape that shows the API request was answered after every probe had finished.
        var text = await ScrapeUntilAsync(host, "http_route=\"/api/v1/ping\"");
        var routes = HttpServerRoute().Matches(text).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(["/api/v1/ping"], routes);
    }

    [Fact]
    public async Task AddServiceDefaults_HttpServerRequestDuration_BucketsReachFiveMinutes()
    {
        var app = LoopbackApp.CreateBuilder().AddServiceDefaults().Build();
        app.MapDefaultEndpoints();
        app.MapGet("/api/v1/ping", () => "pong");
        await using var host = await LoopbackApp.StartAsync(app);

        using var response = await host.Client.GetAsync("/api/v1/ping");

        var text = await ScrapeUntilAsync(host, "http_route=\"/api/v1/ping\"");
        var bounds = BucketBound().Matches(text)
            .Where(m => m.Value.Contains("/api/v1/ping", StringComparison.Ordinal))
            .Select(m => m.Groups[1].Value)
            .ToList();
        Assert.Equal(
            [.. MetricsDefaults.HttpServerRequestDurationBoundaries.Select(b => b.ToString(CultureInfo.InvariantCulture)), "+Inf"],
            bounds);
    }

    [Fact]
    public async Task AddServiceDefaults_ProcessMemoryLimit_ScrapedInBytes()
    {
        var app = LoopbackApp.CreateBuilder().AddServiceDefaults().Build();
        app.MapDefaultEndpoints();
        await using var host = await LoopbackApp.StartAsync(app);
        GC.Collect();

        var text = await ScrapeUntilAsync(host, "phoenix_process_memory_limit_bytes{");

        var value = MemoryLimit().Match(text);
        Assert.True(value.Success, text);
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, long.Parse(value.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private static async Task<string> ScrapeUntilAsync(LoopbackApp host, string needle)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var text = await host.Client.GetStringAsync("/metrics");
            if (text.Contains(needle, StringComparison.Ordinal))
            {
                return text;
            }

            Assert.True(waited.Elapsed < Patience, $"No {needle} in the scrape within {Patience}:\n{text}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    [GeneratedRegex("^http_server_request_duration_seconds_count\\{[^}]*http_route=\"([^\"]*)\"", RegexOptions.Multiline)]
    private static partial Regex HttpServerRoute();

    [GeneratedRegex("^http_server_request_duration_seconds_bucket\\{[^}]*le=\"([^\"]*)\"\\}", RegexOptions.Multiline)]
    private static partial Regex BucketBound();

    [GeneratedRegex("^phoenix_process_memory_limit_bytes\\{[^}]*\\} (\\d+)", RegexOptions.Multiline)]
    private static partial Regex MemoryLimit();
}
