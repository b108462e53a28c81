using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Api;

/// <summary>No executor reachable: 503 with Retry-After, CRITICAL health, and the run is audited as rejected.</summary>
[SupportedOSPlatform("linux")]
public sealed class ExecutorDownTests : IAsyncLifetime
{
    private GatewayStack _stack = null!;

    public async Task InitializeAsync() => _stack = await GatewayStack.StartAsync(startExecutor: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Execute_ExecutorDown_Is503WithRetryAfterAndNoLeak()
    {
        using var client = _stack.Client();

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("""{"command":"sh","args":["-c","true"]}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_NoExecutor_IsCritical503()
    {
        using var client = _stack.Anonymous();

        await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync("/health");
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return response.StatusCode == HttpStatusCode.ServiceUnavailable && body.RootElement.GetProperty("status").GetString() == "CRITICAL";
        });
    }
}
