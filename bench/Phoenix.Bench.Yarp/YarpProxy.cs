using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Yarp.ReverseProxy.Configuration;

namespace Phoenix.Bench.Yarp;

/// <summary>
/// A plain YARP reverse proxy on 127.0.0.1 forwarding every request to one destination, with YARP's defaults and no
/// per-request logging. Options (command line or configuration): <c>--port</c> (default 0: an ephemeral port) and
/// <c>--destination</c> (required, e.g. <c>http://127.0.0.1:5001</c>).
/// </summary>
public sealed class YarpProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private YarpProxy(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<YarpProxy> StartAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var port = int.Parse(builder.Configuration["port"] ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);
        var destination = builder.Configuration["destination"] is { Length: > 0 } configured
            ? configured
            : throw new ArgumentException("--destination is required (e.g. http://127.0.0.1:5001).", nameof(args));
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port, o => (listen = o).Protocols = HttpProtocols.Http1AndHttp2);
        });
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "backend", Match = new RouteMatch { Path = "{**rest}" } }],
            [new ClusterConfig
            {
                ClusterId = "backend",
                Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { ["backend-0"] = new() { Address = destination } },
            }]);

        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return new YarpProxy(app, new Uri($"http://{listen!.IPEndPoint}"));
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
