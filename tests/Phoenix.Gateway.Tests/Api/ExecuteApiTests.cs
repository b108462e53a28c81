using System.Net;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Api;

/// <summary>The HTTP API end to end: real gateway → real gRPC → real executor → real bubblewrap, and back.</summary>
[SupportedOSPlatform("linux")]
public sealed class ExecuteApiTests : IAsyncLifetime
{
    private GatewayStack _stack = null!;

    public async Task InitializeAsync() => _stack = await GatewayStack.StartAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Execute_Python_Returns200WithDesignShapeAndIsAudited()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("""{"command":"python3","args":["-c","print(6*7)"]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("succeeded", root.GetProperty("status").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signal").ValueKind);
        Assert.Equal("42\n", root.GetProperty("stdout").GetString());
        Assert.Equal("", root.GetProperty("stderr").GetString());
        Assert.False(root.GetProperty("stdoutTruncated").GetBoolean());
        Assert.True(root.GetProperty("usage").GetProperty("wallMs").GetInt64() > 0);
        Assert.Equal("executor-0", root.GetProperty("executor").GetString());
        Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("traceId").GetString());
        var id = root.GetProperty("id").GetString();

        using var audit = JsonDocument.Parse(await client.GetStringAsync("/api/v1/audit?limit=5"));
        var record = audit.RootElement.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("runId").GetString() == id);
        Assert.Equal("succeeded", record.GetProperty("status").GetString());
        Assert.Equal("test-admin", record.GetProperty("keyId").GetString());
        Assert.Equal(root.GetProperty("traceId").GetString(), record.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Execute_NonZeroExit_Is200Failed()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("""{"command":"sh","args":["-c","exit 7"]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("failed", body.RootElement.GetProperty("status").GetString());
        Assert.Equal(7, body.RootElement.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Execute_FilesBase64AndStdin_ReachTheCommand()
    {
        using var client = _stack.Client();
        var content = Convert.ToBase64String(Encoding.UTF8.GetBytes("print('from file')"));

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json(
            $$"""{"command":"sh","args":["-c","python3 main.py; cat"],"stdin":"piped","files":[{"path":"main.py","content":"{{content}}","encoding":"base64"}]}"""));

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("from file\npiped", body.RootElement.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Execute_CommandNotAllowed_Is403ProblemWithFieldError()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("""{"command":"nc","args":["-l","9"]}"""));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("urn:phoenix:problem:policy-violation", body.RootElement.GetProperty("type").GetString());
        Assert.True(body.RootElement.GetProperty("errors").TryGetProperty("command", out _));
        Assert.Matches("^[0-9a-f]{32}$", body.RootElement.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Execute_SchemaViolation_Is400WithFieldLevelErrors()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("""{"command":"sh","limits":{"timeoutMs":"soon"},"extra":1}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty("limits.timeoutMs", out _), errors.ToString());
    }

    [Fact]
    public async Task Execute_MalformedJson_Is400()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("{\"command\": "));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Execute_DeepNesting_Is400NotStackOverflow()
    {
        using var client = _stack.Client();
        var deep = new string('[', 100_000) + new string(']', 100_000);

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("{\"command\":\"sh\",\"args\":" + deep + "}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Execute_WrongContentType_Is415()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute", new StringContent("""{"command":"sh"}""", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Execute_BodyOver10MiB_Is413()
    {
        using var client = _stack.Client();

        // As curl does for large bodies: the gateway refuses before the body is sent.
        client.DefaultRequestHeaders.ExpectContinue = true;
        var huge = "{\"command\":\"sh\",\"stdin\":\"" + new string('a', 11 * 1024 * 1024) + "\"}";

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Execute_NoCredentials_Is401ProblemWithChallenge()
    {
        using var client = _stack.Anonymous();

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("""{"command":"sh"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEmpty(response.Headers.WwwAuthenticate);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Stream_Output_IsStdoutStderrEventsThenOneResult()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute/stream", GatewayStack.Json("""{"command":"sh","args":["-c","echo one; echo two >&2"]}"""));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("event: stdout\ndata: \"one\\n\"", text, StringComparison.Ordinal);
        Assert.Contains("event: stderr\ndata: \"two\\n\"", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Split("event: result").Length - 1);
        Assert.True(text.IndexOf("event: result", StringComparison.Ordinal) > text.IndexOf("event: stdout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_ForbiddenEnv_AnswersViolationsWithoutRunning()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute/validate", GatewayStack.Json("""{"command":"sh","env":{"LD_PRELOAD":"x"}}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(body.RootElement.GetProperty("valid").GetBoolean());
        Assert.True(body.RootElement.GetProperty("errors").TryGetProperty("env.LD_PRELOAD", out _));
    }

    [Fact]
    public async Task Health_ExecutorUp_IsServingAndPublicEndpointsAnswer()
    {
        using var client = _stack.Anonymous();

        using var health = JsonDocument.Parse(await client.GetStringAsync("/health"));
        Assert.Equal("SERVING", health.RootElement.GetProperty("status").GetString());
        Assert.Contains("\"$schema\"", await client.GetStringAsync("/schemas/execute.json"), StringComparison.Ordinal);
        Assert.Contains("/api/v1/execute", await client.GetStringAsync("/openapi/v1.json"), StringComparison.Ordinal);
        using var response = await client.GetAsync("/healthz");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRoute_Is404Problem()
    {
        using var client = _stack.Client();

        using var response = await client.GetAsync("/api/v1/nope");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
