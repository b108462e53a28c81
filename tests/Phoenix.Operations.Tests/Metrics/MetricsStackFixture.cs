using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Phoenix.Testing;

namespace Phoenix.Operations.Tests.Metrics;

/// <summary>
/// A real gateway and executor (separate processes), a real Prometheus scraping both every second and evaluating
/// deploy/prometheus/alerts.yml every second, and traffic of every kind the metrics count: a run that succeeds, one
/// that fails, a run the policy refuses (403), a request without credentials (401), and requests over a key's rate
/// limit (429). Shared by the tests of <see cref="MetricsStackCollection"/>; everything stopped and removed after them.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class MetricsStackFixture : IAsyncLifetime
{
    /// <summary>Job label of the gateway's scrape target (as in the rules' tests and the runbooks).</summary>
    public const string GatewayJob = "phoenix-gateway";

    /// <summary>Job label of the executor's scrape target.</summary>
    public const string ExecutorJob = "phoenix-executor";

    /// <summary>The executor's run slots, as configured.</summary>
    public const int ExecutorSlots = 3;

    /// <summary>The executor's queue room, as configured.</summary>
    public const int ExecutorQueue = 7;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, HttpStatusCode> _answers = [];

    /// <summary>The gateway and its one executor.</summary>
    public PhoenixStack Stack { get; private set; } = null!;

    /// <summary>The Prometheus scraping them.</summary>
    internal PrometheusServer Prometheus { get; private set; } = null!;

    /// <summary>Every sample name in the gateway's and the executor's /metrics, scraped after the traffic.</summary>
    public IReadOnlySet<string> ExposedMetricNames { get; private set; } = new HashSet<string>();

    /// <summary>What the traffic got back, by request (for failure messages).</summary>
    public IReadOnlyDictionary<string, HttpStatusCode> Answers => _answers;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        PrometheusTools.Require("prometheus");
        Stack = await PhoenixStack.StartAsync(new PhoenixStackOptions
        {
            ExecutorArgs =
            [
                $"--Phoenix:Executor:MaxConcurrentRuns={ExecutorSlots}",
                $"--Phoenix:Executor:QueueLength={ExecutorQueue}",
            ],
        });
        Prometheus = await PrometheusServer.StartAsync(Configuration(Stack));

        // Both targets scraped (and healthy) before the traffic, so that Prometheus sees the counters grow.
        await Prometheus.WaitForAsync("up", r => r.Count == 2 && r.All(s => s.Value == 1), Patience);
        await DriveTrafficAsync();

        // Everything above has been scraped once these counters (the last ones the traffic moves) are in Prometheus.
        await Prometheus.WaitForAsync("phoenix_gateway_rate_limit_rejections_total", r => r.Count > 0, Patience);
        await Prometheus.WaitForAsync("phoenix_executor_runs_total{phoenix_run_status=\"failed\"}", r => r.Count > 0, Patience);
        ExposedMetricNames = await ScrapeNamesAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Prometheus is not null)
        {
            await Prometheus.DisposeAsync();
        }

        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }
    }

    /// <summary>Scrape both services every second; evaluate the repository's rules every second.</summary>
    private static string Configuration(PhoenixStack stack) => $"""
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        rule_files:
          - "{RepositoryFiles.AlertRules}"
        scrape_configs:
          - job_name: {GatewayJob}
            static_configs:
              - targets: ["127.0.0.1:{stack.GatewayPort}"]
          - job_name: {ExecutorJob}
            static_configs:
              - targets: ["127.0.0.1:{stack.Executors[0].MetricsPort}"]
        """;

    /// <summary>
    /// The sample names (what PromQL selects: <c>_bucket</c>, <c>_count</c>, <c>_total</c> included) of both
    /// services' text exposition.
    /// </summary>
    private async Task<IReadOnlySet<string>> ScrapeNamesAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var url in new[] { new Uri(Stack.GatewayUrl, "metrics"), new Uri(Stack.Executors[0].MetricsUrl, "metrics") })
        {
            var text = await http.GetStringAsync(url);
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var end = line.IndexOfAny(['{', ' ']);
                names.Add(end < 0 ? line : line[..end]);
            }
        }

        return names;
    }

    private async Task DriveTrafficAsync()
    {
        await ExpectAsync("run that succeeds", HttpStatusCode.OK, Stack.ExecuteAsync("sh", "-c", "echo ok"));
        await ExpectAsync("run that fails", HttpStatusCode.OK, Stack.ExecuteAsync("sh", "-c", "exit 3"));
        await ExpectAsync("command the policy refuses", HttpStatusCode.Forbidden, Stack.ExecuteAsync("curl", "http://127.0.0.1/"));

        using (var anonymous = new HttpClient { BaseAddress = Stack.GatewayUrl })
        {
            await ExpectAsync("run without credentials", HttpStatusCode.Unauthorized, anonymous.PostAsync("api/v1/execute", Json("""{"command":"true"}""")));
        }

        await OverRateLimitAsync();
    }

    /// <summary>A second key allowed one request a minute, added to the keys file the gateway reloads; then a burst.</summary>
    private async Task OverRateLimitAsync()
    {
        var tinyKey = "phx_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var keys = new
        {
            keys = new object[]
            {
                new { id = "test", name = "Test key", hash = Hash(Stack.ApiKey), permissions = new[] { "execute", "vitals", "audit", "admin" }, rateLimitPerMinute = 100_000 },
                new { id = "tiny", name = "One request a minute", hash = Hash(tinyKey), permissions = new[] { "execute" }, rateLimitPerMinute = 1 },
            },
        };
        var temporary = Stack.KeysFile + ".new";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(keys));
        File.Move(temporary, Stack.KeysFile, overwrite: true);

        using var tiny = new HttpClient { BaseAddress = Stack.GatewayUrl };
        tiny.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", tinyKey);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var seen = new List<HttpStatusCode>();
        while (!seen.Contains(HttpStatusCode.TooManyRequests))
        {
            Assert.True(waited.Elapsed < Patience, $"No 429 for a key allowed one request a minute; answers: {string.Join(", ", seen)}");
            using var response = await tiny.PostAsync("api/v1/execute/validate", Json("""{"command":"true"}"""));
            seen.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200)); // the keys file is not reloaded yet
            }
        }

        _answers["requests over a key's rate limit"] = HttpStatusCode.TooManyRequests;
    }

    private async Task ExpectAsync(string what, HttpStatusCode expected, Task<HttpResponseMessage> request)
    {
        using var response = await request;
        var body = await response.Content.ReadAsStringAsync();
        _answers[what] = response.StatusCode;
        Assert.True(response.StatusCode == expected, $"{what}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
    }

    private static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static StringContent Json(string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
