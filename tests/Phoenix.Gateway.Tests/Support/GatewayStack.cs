using System.Net.Http.Headers;
using System.Runtime.Versioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Phoenix.Executor;
using Phoenix.Gateway.Auth;
using Phoenix.Hosting;

namespace Phoenix.Gateway.Tests.Support;

/// <summary>
/// The real topology on loopback: an executor (real bubblewrap sandboxes) and a gateway forwarding to it over
/// gRPC, each on an ephemeral port, with a real keys file and a real SQLite audit database under
/// /var/lib/phoenix-tests/&lt;id&gt;. Everything is stopped and removed on dispose.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class GatewayStack : IAsyncDisposable
{
    private readonly WebApplication _executor;
    private readonly WebApplication _gateway;

    private GatewayStack(WebApplication executor, WebApplication gateway, string root, string cgroupParent, string key, Uri address)
    {
        _executor = executor;
        _gateway = gateway;
        Root = root;
        CgroupParent = cgroupParent;
        Key = key;
        Address = address;
    }

    /// <summary>An API key with every permission.</summary>
    public string Key { get; }

    public string Root { get; }

    public string CgroupParent { get; }

    public Uri Address { get; }

    public string KeysFile => Path.Join(Root, "data", "keys.json");

    public IServiceProvider GatewayServices => _gateway.Services;

    public static async Task<GatewayStack> StartAsync(IDictionary<string, string?>? gatewaySettings = null, bool startExecutor = true)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var root = Path.Join("/var/lib/phoenix-tests", "gw-" + id);
        var cgroupParent = "phoenix-gwtest-" + id;
        Directory.CreateDirectory(Path.Join(root, "data"));

        var executor = await StartAppAsync(new Dictionary<string, string?>
        {
            ["Phoenix:Executor:Listen"] = "http://127.0.0.1:0",
            ["Phoenix:Executor:MetricsListen"] = string.Empty,
            ["Phoenix:Executor:Sandbox:Root"] = Path.Join(root, "sandbox"),
            ["Phoenix:Executor:Sandbox:CgroupParent"] = cgroupParent,
        }, b => b.AddExecutorServices(), a => a.MapExecutor());
        var executorAddress = AddressOf(executor);
        if (!startExecutor)
        {
            await executor.StopAsync();
        }

        var key = ApiKeys.Generate();
        await File.WriteAllTextAsync(Path.Join(root, "data", "keys.json"), $$"""
            {"keys":[{"id":"test-admin","name":"Test","hash":"{{ApiKeys.Hash(key)}}","permissions":["execute","vitals","audit","admin"],"rateLimitPerMinute":10000}]}
            """);
        var settings = new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Listen"] = "http://127.0.0.1:0",
            ["Phoenix:Gateway:DataDir"] = Path.Join(root, "data"),
            ["Phoenix:Gateway:KeysFile"] = Path.Join(root, "data", "keys.json"),
            ["Phoenix:Gateway:Forwarding:Executors:0:Name"] = "executor-0",
            ["Phoenix:Gateway:Forwarding:Executors:0:Address"] = executorAddress.ToString(),
        };
        foreach (var (k, v) in gatewaySettings ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        var gateway = await StartAppAsync(settings, b => b.AddGatewayServices(), a => a.MapGatewayApi());
        return new GatewayStack(executor, gateway, root, cgroupParent, key, AddressOf(gateway));
    }

    /// <summary>A client that sends the all-permissions key.</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", key ?? Key);
        return client;
    }

    /// <summary>A client without credentials.</summary>
    public HttpClient Anonymous() => new() { BaseAddress = Address };

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    public async ValueTask DisposeAsync()
    {
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        await _executor.StopAsync();
        await _executor.DisposeAsync();
        foreach (var controller in new[] { "memory", "pids", "cpu", "cpuacct", "freezer" })
        {
            var dir = Path.Join("/sys/fs/cgroup", controller, CgroupParent);
            if (Directory.Exists(dir))
            {
                foreach (var child in Directory.GetDirectories(dir))
                {
                    Directory.Delete(child);
                }

                Directory.Delete(dir);
            }
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private static async Task<WebApplication> StartAppAsync(
        IDictionary<string, string?> settings, Action<WebApplicationBuilder> add, Action<WebApplication> map)
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
        await app.StartAsync();
        return app;
    }

    private static Uri AddressOf(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}
