using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Phoenix.Testing;
using Xunit.Abstractions;
using SpanKind = Phoenix.Operations.Tests.Tracing.Otlp.Span.Types.SpanKind;

namespace Phoenix.Operations.Tests.Tracing;

/// <summary>
/// One trace per request across two real processes: the gateway's HTTP server span → its gRPC client span → the
/// executor's gRPC server span → the sandbox run span, exported over OTLP/HTTP (protobuf) to a receiver on loopback;
/// the services' JSON log lines carry the trace id; probes, scrapes and gRPC health are not traced; no secret of the
/// request reaches the telemetry.
/// </summary>
// One stack at a time: each is two services and their sandboxes on a small machine.
[Collection("Tracing stacks")]
public sealed class EndToEndTracingTests(TracingStackFixture fixture, ITestOutputHelper output) : IClassFixture<TracingStackFixture>
{
    private const string ExecuteMethod = "phoenix.executor.v1.Executor/Execute";
    private const string ExecuteStreamMethod = "phoenix.executor.v1.Executor/ExecuteStream";
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Execute_ClientSendsTraceparent_OneTraceFromGatewayServerSpanToSandboxRunSpan()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var callerSpanId = ActivitySpanId.CreateRandom().ToHexString();
        using var request = Post("api/v1/execute", """
            {"command":"sh","args":["-c","echo traced; exit 3"],
             "limits":{"timeoutMs":5000,"memoryMb":128,"cpuPercent":50,"maxProcesses":8,"maxOutputBytes":65536}}
            """);
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpanId}-01");

        using var response = await fixture.Stack.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(traceId, json.RootElement.GetProperty("traceId").GetString());
        Assert.Equal("failed", json.RootElement.GetProperty("status").GetString());
        var runId = json.RootElement.GetProperty("id").GetString();

        var trace = await WaitForTraceAsync(traceId, ExecuteMethod);
        output.WriteLine(string.Join('\n', trace.Select(s => s + " events: " + string.Join(", ", s.Span.Events.Select(e => e.Name)))));
        var (server, client, executorServer, run) = AssertChain(trace, "POST /api/v1/execute", ExecuteMethod);
        Assert.Equal(callerSpanId, server.ParentSpanId);
        Assert.Equal(4, trace.Count);

        // Gateway: the request's steps as events, the run id as an attribute.
        Assert.Equal("/api/v1/execute", server.Attribute("http.route"));
        Assert.Equal("200", server.Attribute("http.response.status_code"));
        Assert.Equal(runId, server.Attribute("phoenix.run.id"));
        Assert.Equal("test", server.Attribute("phoenix.auth.key_id"));
        Assert.Equal(
            ["phoenix.auth", "phoenix.rate_limit", "phoenix.admission", "phoenix.validation"],
            server.Span.Events.Select(e => e.Name).ToArray());
        Assert.Equal("authorized", server.Event("phoenix.auth")!["phoenix.auth.outcome"]);
        Assert.Equal("test", server.Event("phoenix.auth")!["phoenix.auth.key_id"]);
        Assert.Equal("allowed", server.Event("phoenix.rate_limit")!["phoenix.rate_limit.outcome"]);
        Assert.Equal("admitted", server.Event("phoenix.admission")!["phoenix.admission.outcome"]);
        Assert.Equal("valid", server.Event("phoenix.validation")!["phoenix.validation.outcome"]);

        // The gRPC client span.
        Assert.Equal("grpc", client.Attribute("rpc.system.name"));
        Assert.Equal(ExecuteMethod, client.Attribute("rpc.method"));
        Assert.Equal("OK", client.Attribute("rpc.response.status_code"));
        Assert.Equal("127.0.0.1", client.Attribute("server.address"));
        Assert.Equal(fixture.Stack.Executors[0].GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture), client.Attribute("server.port"));
        Assert.Equal("executor-0", client.Attribute("phoenix.executor.name"));

        // The executor's gRPC server span.
        Assert.Equal("grpc", executorServer.Attribute("rpc.system.name"));

        // The sandbox run: command basename, outcome, limits, usage, executor; never its arguments.
        Assert.Equal("sh", run.Attribute("process.executable.name"));
        Assert.Equal("failed", run.Attribute("phoenix.run.status"));
        Assert.Equal("3", run.Attribute("process.exit.code"));
        Assert.Equal(runId, run.Attribute("phoenix.run.id"));
        Assert.Equal("executor-0", run.Attribute("phoenix.executor.name"));
        Assert.Equal("5000", run.Attribute("phoenix.limits.timeout_ms"));
        Assert.Equal("128", run.Attribute("phoenix.limits.memory_mb"));
        Assert.Equal("50", run.Attribute("phoenix.limits.cpu_percent"));
        Assert.Equal("8", run.Attribute("phoenix.limits.max_processes"));
        Assert.Equal("65536", run.Attribute("phoenix.limits.max_output_bytes"));
        Assert.True(long.Parse(run.Attribute("phoenix.usage.wall_ms")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.True(long.Parse(run.Attribute("phoenix.usage.cpu_ms")!, System.Globalization.CultureInfo.InvariantCulture) >= 0);
        Assert.True(long.Parse(run.Attribute("phoenix.usage.peak_memory_bytes")!, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.DoesNotContain(trace.SelectMany(s => s.Span.Attributes), a => ReceivedSpan.Text(a.Value)?.Contains("echo traced", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task ExecuteStream_ServerSentEvents_OneTraceFromGatewayServerSpanToSandboxRunSpan()
    {
        using var request = Post("api/v1/execute/stream", """{"command":"sh","args":["-c","echo one; echo two >&2"]}""");

        using var response = await fixture.Stack.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var result = body.Split("\n\n").Single(e => e.StartsWith("event: result\n", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(result["event: result\ndata: ".Length..]);
        var traceId = json.RootElement.GetProperty("traceId").GetString()!;
        Assert.Equal("succeeded", json.RootElement.GetProperty("status").GetString());

        var trace = await WaitForTraceAsync(traceId, ExecuteStreamMethod);
        var (server, client, _, run) = AssertChain(trace, "POST /api/v1/execute/stream", ExecuteStreamMethod);
        Assert.Equal(4, trace.Count);
        Assert.Equal(string.Empty, server.ParentSpanId);
        Assert.Equal("OK", client.Attribute("rpc.response.status_code"));
        Assert.Equal("succeeded", run.Attribute("phoenix.run.status"));
        Assert.Equal(json.RootElement.GetProperty("id").GetString(), run.Attribute("phoenix.run.id"));

        // The client span lasts as long as the stream: it ends after the run span does.
        Assert.True(client.Span.EndTimeUnixNano >= run.Span.EndTimeUnixNano);
    }

    [Fact]
    public async Task Execute_LogLinesWrittenWhileHandlingIt_CarryItsTraceIdInBothServices()
    {
        using var response = await fixture.Stack.ExecuteAsync("echo", "logged");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var traceId = json.RootElement.GetProperty("traceId").GetString()!;
        var runId = json.RootElement.GetProperty("id").GetString()!;

        // "Request finished" is written after the answer: wait for it in the gateway, and for the run's line in the executor.
        var gatewayLines = await WaitForLinesAsync(fixture.Stack.Gateway!, lines => lines.Any(l => l.TraceId == traceId && l.Message.StartsWith("Request finished", StringComparison.Ordinal)));
        var executorLines = await WaitForLinesAsync(fixture.Stack.Executors[0].Process!, lines => lines.Any(l => l.TraceId == traceId && l.Message.StartsWith("Request finished", StringComparison.Ordinal)));

        AssertEveryLineOfTheRequestCarries(gatewayLines, traceId, "/api/v1/execute");
        AssertEveryLineOfTheRequestCarries(executorLines, traceId, "/" + ExecuteMethod);
        var runLine = Assert.Single(executorLines, l => l.EventId == 3203 && l.Message.Contains(runId, StringComparison.Ordinal));
        Assert.Equal(traceId, runLine.TraceId);
        Assert.NotNull(runLine.SpanId);

        // The same log records, exported over OTLP, carry the trace id too.
        var trace = await WaitForTraceAsync(traceId, ExecuteMethod);
        var records = await WaitForAsync(
            () => fixture.Receiver.Logs().Where(l => Convert.ToHexStringLower(l.Record.TraceId.Span) == traceId).ToList(),
            r => r.Any(l => l.Service == "gateway") && r.Any(l => l.Service == "executor" && l.Record.Body?.StringValue?.Contains(runId, StringComparison.Ordinal) == true),
            "OTLP log records of the request from both services");
        var runRecord = records.First(l => l.Service == "executor" && l.Record.Body.StringValue.Contains(runId, StringComparison.Ordinal));
        Assert.Equal(Assert.Single(trace, s => s.Name == "sandbox.run").SpanId, Convert.ToHexStringLower(runRecord.Record.SpanId.Span));
    }

    [Fact]
    public async Task Execute_UnknownApiKey_SecurityLogLineAndAuthEventCarryTheTraceOfThe401()
    {
        using var request = Post("api/v1/execute", """{"command":"true"}""");
        request.Headers.Add("X-Phoenix-Api-Key", "phx_not-a-key-" + Guid.NewGuid().ToString("N"));
        using var http = new HttpClient { BaseAddress = fixture.Stack.GatewayUrl };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var traceId = json.RootElement.GetProperty("traceId").GetString()!;
        var lines = await WaitForLinesAsync(fixture.Stack.Gateway!, lines => lines.Any(l => l.Category == "Phoenix.Security" && l.TraceId == traceId));
        AssertEveryLineOfTheRequestCarries(lines, traceId, "/api/v1/execute");
        var spans = await fixture.Receiver.WaitForSpansAsync(all => all.Any(s => s.TraceId == traceId), ExportTimeout, $"the span of trace {traceId}");
        var server = Assert.Single(spans, s => s.TraceId == traceId);
        Assert.Equal("401", server.Attribute("http.response.status_code"));
        var auth = server.Event("phoenix.auth")!;
        Assert.Equal("unauthenticated", auth["phoenix.auth.outcome"]);
        Assert.Equal("invalid", auth["phoenix.auth.reason"]);
        Assert.Null(server.Event("phoenix.validation"));
    }

    [Fact]
    public async Task ProbesScrapesAndGrpcHealth_Requested_NoSpanExported()
    {
        using var http = new HttpClient();
        var executor = fixture.Stack.Executors[0];
        foreach (var url in new[]
        {
            new Uri(fixture.Stack.GatewayUrl, "healthz"), new Uri(fixture.Stack.GatewayUrl, "readyz"),
            new Uri(fixture.Stack.GatewayUrl, "metrics"), new Uri(fixture.Stack.GatewayUrl, "health"),
            new Uri(executor.MetricsUrl, "healthz"), new Uri(executor.MetricsUrl, "readyz"), new Uri(executor.MetricsUrl, "metrics"),
        })
        {
            using var probe = await http.GetAsync(url);
            Assert.True(probe.IsSuccessStatusCode, $"{url}: {(int)probe.StatusCode}");
        }

        using (var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{executor.GrpcPort}"))
        {
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        }

        // A traced request after the probes: once both services exported it, they exported anything before it.
        using var response = await fixture.Stack.ExecuteAsync("true");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var marker = json.RootElement.GetProperty("traceId").GetString()!;
        var spans = await WaitForTraceAsync(marker, ExecuteMethod);

        var all = fixture.Receiver.Spans();
        string[] untraced = ["/healthz", "/readyz", "/metrics", "/health", "/grpc.health.v1.Health/Check"];
        Assert.DoesNotContain(all, s => untraced.Contains(s.Attribute("url.path")));
        Assert.DoesNotContain(all, s => s.Name.Contains("grpc.health", StringComparison.OrdinalIgnoreCase)
            || s.Attribute("rpc.method")?.Contains("grpc.health", StringComparison.OrdinalIgnoreCase) == true);

        // The gateway's calls to executors make one client span each (no HTTP client span under it), health checks none.
        Assert.All(all.Where(s => s.Service == "gateway" && s.Span.Kind == SpanKind.Client), s => Assert.StartsWith("phoenix.executor.v1.Executor/", s.Name, StringComparison.Ordinal));
        Assert.Equal(4, spans.Count);
    }

    [Fact]
    public async Task Execute_SecretsInArgsStdinEnvAndFiles_AbsentFromEveryExportAndLogLine()
    {
        var secrets = new[] { "ARG", "STDIN", "ENV", "FILE" }.Select(s => $"phx-secret-{s}-{Guid.NewGuid():N}").ToArray();
        var request = JsonSerializer.Serialize(new
        {
            command = "sh",
            args = new[] { "-c", "cat > /dev/null; test -n \"$API_TOKEN\"", secrets[0] },
            stdin = secrets[1],
            env = new Dictionary<string, string> { ["API_TOKEN"] = secrets[2] },
            files = new[] { new { path = "token.txt", content = secrets[3], encoding = "utf8" } },
        });

        using var response = await fixture.Stack.ExecuteJsonAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var traceId = json.RootElement.GetProperty("traceId").GetString()!;
        var runId = json.RootElement.GetProperty("id").GetString()!;
        await WaitForTraceAsync(traceId, ExecuteMethod);
        await WaitForAsync(
            () => fixture.Receiver.Logs().Where(l => l.Record.Body?.StringValue?.Contains(runId, StringComparison.Ordinal) == true).ToList(),
            r => r.Count > 0,
            "the OTLP log record of the run");

        // Metrics are exported every second: wait for one export that started after the run.
        var metricsBefore = fixture.Receiver.Exports.Count(e => e.Signal == "metrics");
        await WaitForAsync(() => fixture.Receiver.Exports.Count(e => e.Signal == "metrics"), n => n >= metricsBefore + 2, "two more metrics exports");

        foreach (var secret in secrets)
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            foreach (var (signal, export) in fixture.Receiver.Exports)
            {
                Assert.True(export.AsSpan().IndexOf(bytes) < 0, $"{secret} found in an OTLP {signal} export");
            }

            Assert.DoesNotContain(fixture.Stack.Gateway!.Lines, l => l.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(fixture.Stack.Executors[0].Process!.Lines, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>Gateway server → gateway gRPC client → executor gRPC server → sandbox run, each the parent of the next.</summary>
    private static (ReceivedSpan Server, ReceivedSpan Client, ReceivedSpan ExecutorServer, ReceivedSpan Run) AssertChain(
        IReadOnlyList<ReceivedSpan> trace, string serverName, string method)
    {
        var server = Assert.Single(trace, s => s.Service == "gateway" && s.Span.Kind == SpanKind.Server);
        Assert.Equal(serverName, server.Name);
        var client = Assert.Single(trace, s => s.Service == "gateway" && s.Span.Kind == SpanKind.Client);
        Assert.Equal(method, client.Name);
        Assert.Equal(server.SpanId, client.ParentSpanId);
        var executorServer = Assert.Single(trace, s => s.Service == "executor" && s.Span.Kind == SpanKind.Server);
        Assert.Equal(method, executorServer.Name);
        Assert.Equal(client.SpanId, executorServer.ParentSpanId);
        var run = Assert.Single(trace, s => s.Name == "sandbox.run");
        Assert.Equal("executor", run.Service);
        Assert.Equal("Phoenix.Executor", run.Scope);
        Assert.Equal(SpanKind.Internal, run.Span.Kind);
        Assert.Equal(executorServer.SpanId, run.ParentSpanId);
        return (server, client, executorServer, run);
    }

    private static void AssertEveryLineOfTheRequestCarries(IReadOnlyList<JsonLogLine> lines, string traceId, string path)
    {
        var requestIds = lines.Where(l => l.TraceId == traceId && l.RequestPath == path).Select(l => l.RequestId).Distinct().ToList();
        var requestId = Assert.Single(requestIds);
        var ofRequest = lines.Where(l => l.RequestId == requestId).ToList();
        Assert.True(ofRequest.Count >= 2, $"only {ofRequest.Count} log line(s) for request {requestId}");
        Assert.All(ofRequest, l => Assert.True(l.TraceId == traceId && l.SpanId is { Length: 16 }, $"{l.Category} '{l.Message}' carries trace {l.TraceId}, span {l.SpanId}"));
        Assert.Contains(ofRequest, l => l.Message.StartsWith("Request starting", StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<JsonLogLine>> WaitForLinesAsync(ServiceProcess process, Func<IReadOnlyList<JsonLogLine>, bool> condition) =>
        await WaitForAsync(() => JsonLogLine.Parse(process.Lines), condition, $"the awaited log lines of {process.Name}");

    private static async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = read();
            if (condition(value))
            {
                return value;
            }

            if (clock.Elapsed > ExportTimeout)
            {
                throw new TimeoutException($"No {what} within {ExportTimeout}.");
            }

            await Task.Delay(100);
        }
    }

    private static HttpRequestMessage Post(string path, string json)
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    /// <summary>Waits until the four spans of one run are in: both server spans, the client span and the run span.</summary>
    private async Task<IReadOnlyList<ReceivedSpan>> WaitForTraceAsync(string traceId, string method)
    {
        var spans = await fixture.Receiver.WaitForSpansAsync(
            all =>
            {
                var trace = all.Where(s => s.TraceId == traceId).ToList();
                return trace.Any(s => s.Service == "gateway" && s.Span.Kind == SpanKind.Server)
                    && trace.Any(s => s.Service == "gateway" && s.Name == method)
                    && trace.Any(s => s.Service == "executor" && s.Span.Kind == SpanKind.Server)
                    && trace.Any(s => s.Name == "sandbox.run");
            },
            ExportTimeout,
            $"complete trace {traceId}");
        return spans.Where(s => s.TraceId == traceId).ToList();
    }
}
