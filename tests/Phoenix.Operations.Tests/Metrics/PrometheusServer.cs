using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Text.Json;
using Phoenix.Testing;

namespace Phoenix.Operations.Tests.Metrics;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c>) on a free loopback port with its own configuration and storage in a
/// temporary directory; stopped and the directory removed on dispose, whatever happened. Queried through its HTTP API.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ServiceProcess _process;
    private readonly HttpClient _http;

    private PrometheusServer(ServiceProcess process, string directory, Uri url)
    {
        _process = process;
        Directory = directory;
        Url = url;
        _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>The temporary directory (configuration and TSDB), removed on dispose.</summary>
    public string Directory { get; }

    /// <summary>The server's base address.</summary>
    public Uri Url { get; }

    /// <summary>The server's output so far, for failure messages.</summary>
    public string Tail => _process.Tail();

    /// <summary>Writes <paramref name="configuration"/> as prometheus.yml and starts Prometheus; waits until it is ready.</summary>
    public static async Task<PrometheusServer> StartAsync(string configuration)
    {
        var prometheus = PrometheusTools.Require("prometheus");
        var directory = System.IO.Directory.CreateTempSubdirectory("phoenix-prometheus-").FullName;
        ServiceProcess? process = null;
        try
        {
            var config = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(config, configuration);
            var url = new Uri($"http://127.0.0.1:{FreePorts.Next()}/");
            process = ServiceProcess.Start(
                prometheus,
                [
                    $"--config.file={config}",
                    $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                    $"--web.listen-address=127.0.0.1:{url.Port}",
                ],
                name: "prometheus",
                workingDirectory: directory);
            await process.WaitForHttpAsync(new Uri(url, "-/ready"), TimeSpan.FromSeconds(60));
            return new PrometheusServer(process, directory, url);
        }
        catch
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }

            DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>An instant query; the result vector (empty when nothing matches). Fails on a query error.</summary>
    public async Task<IReadOnlyList<Sample>> QueryAsync(string promQl)
    {
        using var json = await GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promQl));
        var data = json.RootElement.GetProperty("data");
        if (data.GetProperty("resultType").GetString() == "scalar")
        {
            return [new Sample(new Dictionary<string, string>(), ParseValue(data.GetProperty("result")[1]))];
        }

        return [.. data.GetProperty("result").EnumerateArray().Select(r => new Sample(Labels(r.GetProperty("metric")), ParseValue(r.GetProperty("value")[1])))];
    }

    /// <summary>The query error Prometheus reports for <paramref name="promQl"/>, or null when it evaluates.</summary>
    public async Task<string?> QueryErrorAsync(string promQl)
    {
        using var response = await _http.GetAsync("api/v1/query?query=" + Uri.EscapeDataString(promQl));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("status").GetString() == "success"
            ? null
            : $"{json.RootElement.GetProperty("errorType").GetString()}: {json.RootElement.GetProperty("error").GetString()}";
    }

    /// <summary>The label sets of every series matching <paramref name="selector"/> (over the whole retention).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> SeriesAsync(string selector)
    {
        using var json = await GetAsync("api/v1/series?match[]=" + Uri.EscapeDataString(selector));
        return [.. json.RootElement.GetProperty("data").EnumerateArray().Select(Labels)];
    }

    /// <summary>Every rule Prometheus loaded, with its group.</summary>
    public async Task<IReadOnlyList<LoadedRule>> RulesAsync()
    {
        using var json = await GetAsync("api/v1/rules");
        var rules = new List<LoadedRule>();
        foreach (var group in json.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray())
        {
            foreach (var rule in group.GetProperty("rules").EnumerateArray())
            {
                rules.Add(new LoadedRule(
                    group.GetProperty("name").GetString()!,
                    rule.GetProperty("name").GetString()!,
                    rule.GetProperty("type").GetString()!,
                    rule.GetProperty("query").GetString()!,
                    rule.GetProperty("health").GetString()!,
                    rule.TryGetProperty("lastError", out var error) ? error.GetString() : null,
                    rule.TryGetProperty("labels", out var labels) ? Labels(labels) : new Dictionary<string, string>(),
                    rule.TryGetProperty("annotations", out var annotations) ? Labels(annotations) : new Dictionary<string, string>(),
                    rule.TryGetProperty("duration", out var duration) ? duration.GetDouble() : 0));
            }
        }

        return rules;
    }

    /// <summary>Polls <paramref name="promQl"/> until <paramref name="accept"/> agrees with the result; fails with the last result.</summary>
    public async Task<IReadOnlyList<Sample>> WaitForAsync(string promQl, Func<IReadOnlyList<Sample>, bool> accept, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var result = await QueryAsync(promQl);
            if (accept(result))
            {
                return result;
            }

            if (waited.Elapsed > timeout)
            {
                Assert.Fail($"Prometheus: {promQl} did not reach the expected result within {timeout}; last: [{string.Join(", ", result)}]");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
        DeleteDirectory(Directory);
    }

    private static double ParseValue(JsonElement value) => double.Parse(value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Labels(JsonElement labels) =>
        labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);

    private static void DeleteDirectory(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private async Task<JsonDocument> GetAsync(string pathAndQuery)
    {
        using var response = await _http.GetAsync(pathAndQuery);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Prometheus {pathAndQuery}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
