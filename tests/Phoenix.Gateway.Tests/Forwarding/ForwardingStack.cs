using System.Net;
using System.Net.Http.Headers;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Forwarding;
using Phoenix.Hosting;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>
/// Several in-process executors (real bubblewrap sandboxes, each with its own sandbox root, cgroup parent and
/// name) and one gateway forwarding to all of them, on loopback ephemeral ports, with a real keys file and
/// SQLite audit under /var/lib/phoenix-tests/&lt;id&gt;. Executors can be stopped and restarted on the same port;
/// what they ran is counted from their own metrics. Everything is stopped and removed on dispose.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ForwardingStack : IAsyncDisposable
{
    private readonly WebApplication _gateway;

    private ForwardingStack(WebApplication gateway, IReadOnlyList<ExecutorNode> executors, ExecutorRunCounter counter, string root, string key)
    {
        _gateway = gateway;
        Executors = executors;
        Counter = counter;
        Root = root;
        Key = key;
        Address = AddressOf(gateway);
    }

    public IReadOnlyList<ExecutorNode> Executors { get; }

    public ExecutorRunCounter Counter { get; }

    public string Root { get; }

    /// <summary>An API key with every permission.</summary>
    public string Key { get; }

    public Uri Address { get; }

    internal ExecutorPool Pool => _gateway.Services.GetRequiredService<ExecutorPool>();

    public static async Task<ForwardingStack> StartAsync(ForwardingStackOptions? options = null)
    {
        options ??= new ForwardingStackOptions();
        var id = Guid.NewGuid().ToString("N")[..12];
        var root = Path.Join("/var/lib/phoenix-tests", "fwd-" + id);
        Directory.CreateDirectory(Path.Join(root, "data"));
        var counter = new ExecutorRunCounter();
        var executors = new List<ExecutorNode>();
        try
        {
            for (var i = 0; i < options.Executors; i++)
            {
                executors.Add(await ExecutorNode.StartAsync(
                    $"fwd-executor-{i}", Path.Join(root, $"sandbox-{i}"), $"phoenix-fwdtest-{id}-{i}", options.Https, options.ExecutorSettings, counter));
            }

            var key = ApiKeys.Generate();
            await File.WriteAllTextAsync(Path.Join(root, "data", "keys.json"), $$"""
                {"keys":[{"id":"fwd-admin","name":"Forwarding tests","hash":"{{ApiKeys.Hash(key)}}","permissions":["execute","vitals","audit","admin"],"rateLimitPerMinute":10000}]}
                """);
            var settings = new Dictionary<string, string?>
            {
                ["Phoenix:Gateway:Listen"] = "http://127.0.0.1:0",
                ["Phoenix:Gateway:DataDir"] = Path.Join(root, "data"),
                ["Phoenix:Gateway:KeysFile"] = Path.Join(root, "data", "keys.json"),
                ["Phoenix:Gateway:Forwarding:HealthInterval"] = "00:00:00.2",
            };
            for (var i = 0; i < executors.Count; i++)
            {
                settings[$"Phoenix:Gateway:Forwarding:Executors:{i}:Name"] = executors[i].Name;
                settings[$"Phoenix:Gateway:Forwarding:Executors:{i}:Address"] = executors[i].Address.ToString();
            }

            foreach (var (k, v) in options.GatewaySettings)
            {
                settings[k] = v;
            }

            var gateway = BuildApp(settings, b => b.AddGatewayServices(), a => a.MapGatewayApi());
            await gateway.StartAsync();
            return new ForwardingStack(gateway, executors, counter, root, key);
        }
        catch
        {
            foreach (var executor in executors)
            {
                await executor.DisposeAsync();
            }

            counter.Dispose();
            Cleanup(root, executors);
            throw;
        }
    }

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>A client that sends the all-permissions key.</summary>
    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(100) };
        client.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", Key);
        return client;
    }

    /// <summary>Runs <paramref name="requestJson"/> through <c>POST /api/v1/execute</c>.</summary>
    public async Task<RunResponse> ExecuteAsync(string requestJson)
    {
        using var client = Client();
        using var response = await client.PostAsync("/api/v1/execute", Json(requestJson));
        return await RunResponse.ReadAsync(response);
    }

    /// <summary><c>GET /health</c>: the HTTP status, the overall status and each dependency's status and detail.</summary>
    public async Task<(HttpStatusCode Code, string Status, IReadOnlyDictionary<string, (string Status, string? Detail)> Dependencies)> HealthAsync()
    {
        using var client = new HttpClient { BaseAddress = Address };
        using var response = await client.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var dependencies = body.RootElement.GetProperty("dependencies").EnumerateArray().ToDictionary(
            d => d.GetProperty("name").GetString()!,
            d => (d.GetProperty("status").GetString()!, d.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String ? detail.GetString() : null),
            StringComparer.Ordinal);
        return (response.StatusCode, body.RootElement.GetProperty("status").GetString()!, dependencies);
    }

    /// <summary>Audit records of this stack's runs (newest first, up to 500).</summary>
    public async Task<IReadOnlyList<(string RunId, string Status, string? Executor)>> AuditAsync()
    {
        using var client = Client();
        using var body = JsonDocument.Parse(await client.GetStringAsync("/api/v1/audit?limit=500"));
        return body.RootElement.GetProperty("records").EnumerateArray()
            .Select(r => (
                r.GetProperty("runId").GetString()!,
                r.GetProperty("status").GetString()!,
                r.TryGetProperty("executor", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        foreach (var executor in Executors)
        {
            await executor.DisposeAsync();
        }

        Counter.Dispose();
        Cleanup(Root, Executors);
    }

    internal static WebApplication BuildApp(IDictionary<string, string?> settings, Action<WebApplicationBuilder> add, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Phoenix:Logging:Format"] = "text",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        add(builder);
        var app = builder.Build();
        map(app);
        return app;
    }

    internal static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static void Cleanup(string root, IEnumerable<ExecutorNode> executors)
    {
        foreach (var parent in executors.Select(e => e.CgroupParent))
        {
            foreach (var controller in new[] { "memory", "pids", "cpu", "cpuacct", "freezer" })
            {
                var dir = Path.Join("/sys/fs/cgroup", controller, parent);
                if (Directory.Exists(dir))
                {
                    foreach (var child in Directory.GetDirectories(dir))
                    {
                        Directory.Delete(child);
                    }

                    Directory.Delete(dir);
                }
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
