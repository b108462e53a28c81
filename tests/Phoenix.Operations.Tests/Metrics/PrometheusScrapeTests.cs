using System.Diagnostics;
using System.Net;
using System.Runtime.Versioning;
using System.Text;

namespace Phoenix.Operations.Tests.Metrics;

/// <summary>
/// What a real Prometheus gets from scraping a real gateway and executor after the traffic of
/// <see cref="MetricsStackFixture"/>: every metric the operations need has series, from the service that owns it,
/// and the counts agree with what was sent.
/// </summary>
[Collection(MetricsStackCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class PrometheusScrapeTests(MetricsStackFixture fixture)
{
    private const string Gateway = MetricsStackFixture.GatewayJob;
    private const string Executor = MetricsStackFixture.ExecutorJob;

    /// <summary>Each metric the issue asks for (and the resource alerts use), and the job that must expose it.</summary>
    public static TheoryData<string, string> RequiredMetrics => new()
    {
        // RED of the API, by route and status (ASP.NET Core's http.server.request.duration)
        { "http_server_request_duration_seconds_count{http_route=\"/api/v1/execute\", http_response_status_code=\"200\"}", Gateway },
        { "http_server_request_duration_seconds_bucket{http_route=\"/api/v1/execute\"}", Gateway },
        { "http_server_active_requests", Gateway },
        // security
        { "phoenix_gateway_auth_failures_total", Gateway },
        { "phoenix_gateway_rate_limit_rejections_total", Gateway },
        { "phoenix_security_events_total", Gateway },
        { "phoenix_security_events_total", Executor },
        // circuits and executors as the gateway sees them
        { "phoenix_circuit_state", Gateway },
        { "phoenix_gateway_executor_available", Gateway },
        { "phoenix_gateway_executor_in_flight", Gateway },
        // runs, queue, slots
        { "phoenix_executor_runs_total", Executor },
        { "phoenix_executor_run_duration_seconds_bucket", Executor },
        { "phoenix_executor_rejections_total", Executor },
        { "phoenix_executor_run_in_flight", Executor },
        { "phoenix_executor_capacity", Executor },
        { "phoenix_executor_queue_length", Executor },
        { "phoenix_executor_queue_capacity", Executor },
        // sandboxes: start latency, CPU and memory of runs
        { "phoenix_executor_sandbox_start_duration_seconds_bucket", Executor },
        { "phoenix_executor_run_cpu_time_seconds_total", Executor },
        { "phoenix_executor_run_peak_memory_bytes_bucket", Executor },
        // process resources of both
        { "phoenix_process_memory_limit_bytes", Gateway },
        { "phoenix_process_memory_limit_bytes", Executor },
        { "dotnet_process_memory_working_set_bytes", Gateway },
        { "dotnet_process_memory_working_set_bytes", Executor },
        { "dotnet_process_cpu_time_seconds_total", Gateway },
        { "dotnet_process_cpu_time_seconds_total", Executor },
        { "dotnet_process_cpu_count", Executor },
    };

    [Theory]
    [MemberData(nameof(RequiredMetrics))]
    public async Task Series_RequiredMetric_ScrapedFromItsService(string selector, string job)
    {
        var scoped = selector.Contains('{', StringComparison.Ordinal)
            ? selector.Replace("{", $"{{job=\"{job}\", ", StringComparison.Ordinal)
            : $"{selector}{{job=\"{job}\"}}";

        var series = await fixture.Prometheus.SeriesAsync(scoped);

        Assert.True(series.Count > 0, $"No series for {scoped} in Prometheus. Answers: {Answers()}");
    }

    [Fact]
    public async Task Runs_SucceededAndFailed_CountedByStatus()
    {
        var succeeded = await fixture.Prometheus.QueryAsync($"sum(phoenix_executor_runs_total{{job=\"{Executor}\", phoenix_run_status=\"succeeded\"}})");
        var failed = await fixture.Prometheus.QueryAsync($"sum(phoenix_executor_runs_total{{job=\"{Executor}\", phoenix_run_status=\"failed\"}})");

        Assert.True(Value(succeeded) >= 1, $"succeeded: {Value(succeeded)}");
        Assert.True(Value(failed) >= 1, $"failed: {Value(failed)}");

        // Every run's peak memory was recorded, and sandbox starts were timed.
        var runs = Value(await fixture.Prometheus.QueryAsync($"sum(phoenix_executor_runs_total{{job=\"{Executor}\"}})"));
        var memory = Value(await fixture.Prometheus.QueryAsync($"sum(phoenix_executor_run_peak_memory_bytes_count{{job=\"{Executor}\"}})"));
        var starts = Value(await fixture.Prometheus.QueryAsync($"sum(phoenix_executor_sandbox_start_duration_seconds_count{{job=\"{Executor}\"}})"));
        Assert.Equal(runs, memory);
        Assert.True(starts >= 1, $"sandbox starts timed: {starts}");
    }

    [Fact]
    public async Task Unauthorized_401_CountedAsRequestAndAuthFailure()
    {
        var requests = await fixture.Prometheus.QueryAsync(
            $"sum(http_server_request_duration_seconds_count{{job=\"{Gateway}\", http_route=\"/api/v1/execute\", http_response_status_code=\"401\"}})");
        var failures = await fixture.Prometheus.QueryAsync($"phoenix_gateway_auth_failures_total{{job=\"{Gateway}\"}}");

        Assert.True(Value(requests) >= 1, $"401 requests: {Value(requests)}");
        var missing = Assert.Single(failures, s => s.Labels["phoenix_auth_reason"] == "missing");
        Assert.True(missing.Value >= 1, missing.ToString());
    }

    [Fact]
    public async Task RateLimited_429_CountedAsRequestAndRejectionOfTheKey()
    {
        var requests = await fixture.Prometheus.QueryAsync(
            $"sum(http_server_request_duration_seconds_count{{job=\"{Gateway}\", http_route=\"/api/v1/execute/validate\", http_response_status_code=\"429\"}})");
        var rejections = await fixture.Prometheus.QueryAsync($"phoenix_gateway_rate_limit_rejections_total{{job=\"{Gateway}\"}}");

        Assert.True(Value(requests) >= 1, $"429 requests: {Value(requests)}");
        var byKey = Assert.Single(rejections, s => s.Labels["phoenix_rate_limit_scope"] == "key");
        Assert.Equal(Value(requests), byKey.Value);
    }

    [Fact]
    public async Task PolicyRefusal_403_CountedByGatewayAndExecutor()
    {
        var requests = await fixture.Prometheus.QueryAsync(
            $"sum(http_server_request_duration_seconds_count{{job=\"{Gateway}\", http_route=\"/api/v1/execute\", http_response_status_code=\"403\"}})");
        var refusals = await fixture.Prometheus.QueryAsync($"phoenix_executor_rejections_total{{job=\"{Executor}\", reason=\"policy\"}}");
        var events = await fixture.Prometheus.QueryAsync($"phoenix_security_events_total{{job=\"{Executor}\", event=\"PolicyViolation\"}}");

        Assert.True(Value(requests) >= 1, $"403 requests: {Value(requests)}");
        Assert.True(Value(refusals) >= 1, $"policy refusals: {Value(refusals)}");
        Assert.True(Value(events) >= 1, $"policy violation events: {Value(events)}");
    }

    [Fact]
    public async Task HttpServerMetrics_ProbesScrapesAndGrpcHealth_NotCounted()
    {
        // The harness polled /readyz, Prometheus scraped /metrics every second, the gateway checks the executor's
        // gRPC health: none of it is API traffic.
        var infrastructure = await fixture.Prometheus.SeriesAsync(
            "http_server_request_duration_seconds_count{http_route=~\"/healthz|/readyz|/health|/metrics|/grpc.health.v1.Health/.*\"}");
        var routes = await fixture.Prometheus.QueryAsync("count by (job, http_route) (http_server_request_duration_seconds_count)");

        Assert.True(infrastructure.Count == 0, "Probe, scrape or health requests counted: " + string.Join("; ", infrastructure.Select(s => string.Join(",", s))));
        Assert.Contains(routes, s => s.Labels.GetValueOrDefault("http_route") == "/api/v1/execute");
    }

    [Fact]
    public async Task ExecutorGauges_ReportConfiguredSlotsAndQueueAndGatewaySeesItAvailable()
    {
        Assert.Equal(MetricsStackFixture.ExecutorSlots, Value(await fixture.Prometheus.QueryAsync($"phoenix_executor_capacity{{job=\"{Executor}\"}}")));
        Assert.Equal(MetricsStackFixture.ExecutorQueue, Value(await fixture.Prometheus.QueryAsync($"phoenix_executor_queue_capacity{{job=\"{Executor}\"}}")));
        Assert.Equal(0, Value(await fixture.Prometheus.QueryAsync($"phoenix_executor_queue_length{{job=\"{Executor}\"}}")));

        var circuit = Assert.Single(await fixture.Prometheus.QueryAsync($"phoenix_circuit_state{{job=\"{Gateway}\"}}"));
        Assert.Equal("executor:executor-0", circuit.Labels["circuit_name"]);
        Assert.Equal(0, circuit.Value);
        var available = Assert.Single(await fixture.Prometheus.QueryAsync($"phoenix_gateway_executor_available{{job=\"{Gateway}\"}}"));
        Assert.Equal("executor-0", available.Labels["phoenix_executor_name"]);
        Assert.Equal(1, available.Value);
    }

    [Fact]
    public async Task ProcessMemory_WorkingSetBelowLimitOnBothServices()
    {
        var ratios = await fixture.Prometheus.WaitForAsync("instance:phoenix_process_memory:ratio", r => r.Count == 2, TimeSpan.FromSeconds(30));

        Assert.All(ratios, r => Assert.InRange(r.Value, 0.0001, 1));
        Assert.Equal([Executor, Gateway], ratios.Select(r => r.Labels["job"]).Order());
    }

    [Fact]
    public async Task Rules_AlertsFile_LoadedAndEvaluatedWithoutErrors()
    {
        // Every rule is evaluated every second; give each one a first evaluation.
        IReadOnlyList<LoadedRule> rules = [];
        for (var attempt = 0; attempt < 30; attempt++)
        {
            rules = await fixture.Prometheus.RulesAsync();
            if (rules.Count > 0 && rules.All(r => r.Health != "unknown"))
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        Assert.NotEmpty(rules);
        var broken = rules.Where(r => r.Health != "ok").Select(r => $"{r.Name}: {r.Health} {r.LastError}").ToList();
        Assert.True(broken.Count == 0, "Rules that do not evaluate against the real metrics:\n" + string.Join('\n', broken));

        // The recording rules see traffic: a rate needs a counter to grow between two scrapes, so keep answering
        // requests until the request rate shows them; none of them is a 5xx.
        var waited = Stopwatch.StartNew();
        while (Value(await fixture.Prometheus.QueryAsync("phoenix:api_requests:rate5m")) <= 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "phoenix:api_requests:rate5m stayed at 0 under traffic.");
            using var content = new StringContent("""{"command":"true"}""", Encoding.UTF8, "application/json");
            using var response = await fixture.Stack.Http.PostAsync("api/v1/execute/validate", content);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        await fixture.Prometheus.WaitForAsync("phoenix:api_error_ratio:rate5m", r => r.Count == 1 && r[0].Value == 0, TimeSpan.FromSeconds(30));
    }

    private static double Value(IReadOnlyList<Sample> result) => result.Count == 0 ? 0 : Assert.Single(result).Value;

    private string Answers() => string.Join(", ", fixture.Answers.Select(a => $"{a.Key}: {(int)a.Value}"));
}
