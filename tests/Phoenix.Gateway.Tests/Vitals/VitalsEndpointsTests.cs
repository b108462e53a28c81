using System.Net;
using System.Text.Json;

namespace Phoenix.Gateway.Tests.Vitals;

public sealed class VitalsEndpointsTests : IAsyncLifetime
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private VitalsTestApp _app = null!;

    public async Task InitializeAsync() => _app = await VitalsTestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Stream_WithVitalsPermission_SendsAnEventEachIntervalInTheDocumentedShape()
    {
        using var client = _app.Client("vitals");
        using var response = await client.GetAsync(VitalsTestApp.VitalsPath, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        using var first = await ReadEventAsync(reader);
        _app.Time.Advance(TimeSpan.FromSeconds(1));
        using var second = await ReadEventAsync(reader);

        var root = first.RootElement;
        Assert.Equal(
            ["at", "executors", "requestRate", "errorRate", "latencyMs"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero), root.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 12, 0, 1, TimeSpan.Zero), second.RootElement.GetProperty("at").GetDateTimeOffset());
        var executors = root.GetProperty("executors").EnumerateArray().ToArray();
        Assert.Equal(2, executors.Length);
        Assert.Equal(["name", "state", "circuit", "inFlight", "capacity"], executors[0].EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("exec-a", executors[0].GetProperty("name").GetString());
        Assert.Equal("up", executors[0].GetProperty("state").GetString());
        Assert.Equal("closed", executors[0].GetProperty("circuit").GetString());
        Assert.Equal(0, executors[0].GetProperty("inFlight").GetInt32());
        Assert.Equal(4, executors[0].GetProperty("capacity").GetInt32());
        Assert.Equal("exec-b", executors[1].GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, executors[1].GetProperty("capacity").ValueKind);
        Assert.Equal(0, root.GetProperty("requestRate").GetDouble());
        Assert.Equal(0, root.GetProperty("errorRate").GetDouble());
        var latency = root.GetProperty("latencyMs");
        Assert.Equal(["p50", "p95", "p99"], latency.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.All(latency.EnumerateObject(), p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));
    }

    [Fact]
    public async Task Stream_ExecutorChanges_NextEventShowsIt()
    {
        using var client = _app.Client("vitals");
        using var response = await client.GetAsync(VitalsTestApp.VitalsPath, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var first = await ReadEventAsync(reader);

        _app.Pool.Endpoints[1].Healthy = false;
        using var lease = _app.Pool.Endpoints[0].Enter();
        _app.Time.Advance(TimeSpan.FromSeconds(1));
        using var second = await ReadEventAsync(reader);

        var executors = second.RootElement.GetProperty("executors").EnumerateArray().ToArray();
        Assert.Equal(1, executors[0].GetProperty("inFlight").GetInt32());
        Assert.Equal("up", executors[0].GetProperty("state").GetString());
        Assert.Equal("down", executors[1].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Stream_AfterRequests_ReportsRateErrorShareAndLatency()
    {
        _app.Stats.Record(200, TimeSpan.FromMilliseconds(10));
        _app.Stats.Record(503, TimeSpan.FromMilliseconds(10));
        using var client = _app.Client("vitals");
        using var response = await client.GetAsync(VitalsTestApp.VitalsPath, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var first = await ReadEventAsync(reader);

        _app.Time.Advance(TimeSpan.FromSeconds(1));
        using var second = await ReadEventAsync(reader);

        // In the first event the two requests are in the current (incomplete) second: not yet in the rate.
        Assert.Equal(0, first.RootElement.GetProperty("requestRate").GetDouble());
        var root = second.RootElement;
        Assert.Equal(0.2, root.GetProperty("requestRate").GetDouble(), 10);
        Assert.Equal(0.5, root.GetProperty("errorRate").GetDouble(), 10);
        Assert.InRange(root.GetProperty("latencyMs").GetProperty("p99").GetDouble(), 9.6, 10.4);
    }

    [Fact]
    public async Task Stream_ClientDisconnects_HandlerEndsAndIsNotInRequestStats()
    {
        using var client = _app.Client("vitals");
        var response = await client.GetAsync(VitalsTestApp.VitalsPath, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using (await ReadEventAsync(reader))
        {
        }

        reader.Dispose();
        response.Dispose();

        await _app.VitalsRequestEnded.WaitAsync(ReadTimeout);
        Assert.Equal(0, _app.Stats.Snapshot(TimeSpan.FromSeconds(10)).Requests);
    }

    [Fact]
    public async Task Stream_WithoutVitalsPermission_Is403()
    {
        using var client = _app.Client("execute,audit");

        using var response = await client.GetAsync(VitalsTestApp.VitalsPath, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Stream_AdminPermission_IsAllowed()
    {
        using var client = _app.Client("admin");

        using var response = await client.GetAsync(VitalsTestApp.VitalsPath, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Stream_Anonymous_Is401()
    {
        using var client = _app.Client(permissions: null);

        using var response = await client.GetAsync(VitalsTestApp.VitalsPath, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>Reads one <c>vitals</c> event (bounded by <see cref="ReadTimeout"/>) and parses its data.</summary>
    private static async Task<JsonDocument> ReadEventAsync(StreamReader reader)
    {
        using var timeout = new CancellationTokenSource(ReadTimeout);
        var lines = new List<string>();
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Length == 0 && lines.Count > 0)
            {
                break;
            }

            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        Assert.Equal(2, lines.Count);
        Assert.Equal("event: vitals", lines[0]);
        Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
        return JsonDocument.Parse(lines[1]["data: ".Length..]);
    }
}
