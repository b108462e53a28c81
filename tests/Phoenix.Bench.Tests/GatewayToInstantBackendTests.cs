using System.Net;
using System.Net.Http.Json;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Phoenix.Gateway;
using Phoenix.Hosting;

namespace Phoenix.Bench.Tests;

/// <summary>
/// The benchmark's Phoenix row in miniature: the real gateway (API key, rate limit, schema validation, SQLite audit)
/// takes the instant backend as a healthy executor and answers its runs.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class GatewayToInstantBackendTests(InstantBackendFixture fixture) : IClassFixture<InstantBackendFixture>, IAsyncLifetime
{
    private const string Key = "phx_bench-tests-key-0123456789abcdefghijklmnopqrstuv";
    private readonly string _data = Path.Join(Path.GetTempPath(), "phoenix-bench-tests-" + Guid.NewGuid().ToString("N")[..12]);
    private WebApplication? _gateway;
    private HttpClient? _client;

    private HttpClient Client => _client ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_data);
        var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key)));
        await File.WriteAllTextAsync(Path.Join(_data, "keys.json"), $$"""
            {"keys":[{"id":"bench","hash":"{{hash}}","permissions":["execute","audit"],"rateLimitPerMinute":1000000}]}
            """);
        File.SetUnixFileMode(Path.Join(_data, "keys.json"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Phoenix:Logging:Format"] = "text",
            ["Phoenix:Gateway:Listen"] = "http://127.0.0.1:0",
            ["Phoenix:Gateway:DataDir"] = _data,
            ["Phoenix:Gateway:RateLimit:PermitsPerMinute"] = "1000000",
            ["Phoenix:Gateway:Forwarding:Executors:0:Name"] = "instant-0",
            ["Phoenix:Gateway:Forwarding:Executors:0:Address"] = fixture.Backend.GrpcAddress.ToString(),
        });
        builder.AddServiceDefaults();
        builder.AddGatewayServices();
        _gateway = builder.Build();
        _gateway.MapGatewayApi();
        await _gateway.StartAsync();
        var address = _gateway.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
        _client.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", Key);
    }

    [Fact]
    public async Task Execute_ThroughTheGateway_SucceededFromTheInstantBackendAndAudited()
    {
        using var response = await Client.PostAsJsonAsync("/api/v1/execute", new { command = "python3", args = new[] { "-c", "print(1)" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":\"succeeded\"", body, StringComparison.Ordinal);
        Assert.Contains("\"executor\":\"instant-0\"", body, StringComparison.Ordinal);
        var audit = await Client.GetStringAsync("/api/v1/audit?limit=1");
        Assert.Contains("\"status\":\"succeeded\"", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_SchemaViolation_RejectedBeforeTheBackend()
    {
        // Schema validation is on in the benchmark's configuration: a bad body never reaches the backend.
        using var response = await Client.PostAsJsonAsync("/api/v1/execute", new { command = 42 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.StopAsync();
            await _gateway.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }
}
