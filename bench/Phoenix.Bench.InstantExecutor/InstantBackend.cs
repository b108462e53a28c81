using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Phoenix.Bench.InstantExecutor;

/// <summary>
/// A backend that answers at once: the executor's gRPC contract (Execute, ExecuteStream, Validate and gRPC health) on an
/// h2c port, and <c>POST /api/v1/execute</c> answering an equivalent JSON body on an HTTP/1.1 port. Options (command line
/// or configuration): <c>--grpc-port</c> and <c>--http-port</c> (default 0: an ephemeral port), both on 127.0.0.1.
/// </summary>
public sealed class InstantBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InstantBackend(WebApplication app, Uri grpcAddress, Uri httpAddress)
    {
        _app = app;
        GrpcAddress = grpcAddress;
        HttpAddress = httpAddress;
    }

    /// <summary>The executor contract (h2c).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>The JSON endpoint (HTTP/1.1).</summary>
    public Uri HttpAddress { get; }

    /// <summary>gRPC runs (unary and streamed) answered so far, by every instance in this process.</summary>
    public static long GrpcRuns => InstantExecutorService.Runs;

    /// <summary>JSON runs answered so far, by every instance in this process.</summary>
    public static long HttpRuns => InstantHttpEndpoint.Runs;

    public static async Task<InstantBackend> StartAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var grpcPort = Port(builder.Configuration, "grpc-port");
        var httpPort = Port(builder.Configuration, "http-port");
        ListenOptions? grpc = null;
        ListenOptions? http = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, grpcPort, o => (grpc = o).Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, httpPort, o => (http = o).Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc();
        // gRPC health answers SERVING only for a service with at least one registered check.
        builder.Services.AddGrpcHealthChecks().AddCheck("instant", () => HealthCheckResult.Healthy());

        var app = builder.Build();
        app.MapGrpcService<InstantExecutorService>();
        app.MapGrpcHealthChecksService();
        app.MapPost("/api/v1/execute", InstantHttpEndpoint.ExecuteAsync);
        await app.StartAsync();
        return new InstantBackend(app, AddressOf(grpc!), AddressOf(http!));
    }

    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static int Port(IConfiguration configuration, string name) =>
        int.Parse(configuration[name] ?? "0", NumberStyles.None, CultureInfo.InvariantCulture);

    // Kestrel writes the bound port back into the listen options once it has bound.
    private static Uri AddressOf(ListenOptions options) => new($"http://{options.IPEndPoint}");
}
