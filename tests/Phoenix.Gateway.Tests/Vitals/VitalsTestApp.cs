using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Forwarding;
using Phoenix.Gateway.Vitals;
using Phoenix.Resilience.Circuits;

namespace Phoenix.Gateway.Tests.Vitals;

/// <summary>
/// A small gateway on real Kestrel (127.0.0.1, ephemeral port) wired as the lead wires the real one:
/// <c>UseRequestMetrics</c> first, authentication and authorization (the real <c>vitals</c> permission policy over
/// <see cref="TestPermissionsAuthenticationHandler"/>), <c>AddGatewayVitals</c> and <c>MapVitals</c> on the
/// <c>/api/v1</c> group, and a <see cref="FakeTimeProvider"/>. Two executors are configured (never contacted):
/// <c>exec-a</c> with capacity 4, <c>exec-b</c> without.
/// </summary>
internal sealed class VitalsTestApp : IAsyncDisposable
{
    public const string VitalsPath = "/api/v1/sse/vitals";

    private readonly TaskCompletionSource _vitalsRequestEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private VitalsTestApp(WebApplication app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public Uri Address => new(App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public ExecutorPool Pool => App.Services.GetRequiredService<ExecutorPool>();

    public RequestStats Stats => App.Services.GetRequiredService<RequestStats>();

    public IMeterFactory MeterFactory => App.Services.GetRequiredService<IMeterFactory>();

    /// <summary>Completes when a request to <see cref="VitalsPath"/> has left the endpoint (handler returned or threw).</summary>
    public Task VitalsRequestEnded => _vitalsRequestEnded.Task;

    /// <summary>Starts the app; <paramref name="mapApi"/> adds test endpoints to the <c>/api/v1</c> group, <paramref name="map"/> to the app.</summary>
    public static async Task<VitalsTestApp> StartAsync(Action<RouteGroupBuilder>? mapApi = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            EnvironmentName = "Testing",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Forwarding:Executors:0:Name"] = "exec-a",
            ["Phoenix:Gateway:Forwarding:Executors:0:Address"] = "http://127.0.0.1:1",
            ["Phoenix:Gateway:Forwarding:Executors:0:Capacity"] = "4",
            ["Phoenix:Gateway:Forwarding:Executors:1:Name"] = "exec-b",
            ["Phoenix:Gateway:Forwarding:Executors:1:Address"] = "http://127.0.0.1:2",
        });
        builder.Logging.ClearProviders();
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var services = builder.Services;
        services.AddSingleton<TimeProvider>(time);
        services.AddSingleton(sp => new CircuitRegistry(sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<ForwardingOptions>().BindConfiguration(ForwardingOptions.SectionName);
        services.AddSingleton<ExecutorPool>();
        services.AddAuthentication(TestPermissionsAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestPermissionsAuthenticationHandler>(TestPermissionsAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Permissions.Vitals, policy => policy.RequireAuthenticatedUser().AddRequirements(new PermissionRequirement(Permissions.Vitals)));
        services.AddSingleton<IAuthorizationHandler, PermissionAuthorizationHandler>();
        services.AddGatewayVitals(builder.Configuration);

        var app = builder.Build();
        var testApp = new VitalsTestApp(app, time);
        try
        {
            app.UseRequestMetrics();
            app.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                finally
                {
                    if (context.Request.Path.Equals(VitalsPath, StringComparison.Ordinal))
                    {
                        testApp._vitalsRequestEnded.TrySetResult();
                    }
                }
            });
            app.UseAuthentication();
            app.UseAuthorization();
            var api = app.MapGroup("/api/v1");
            api.MapVitals();
            mapApi?.Invoke(api);
            app.MapGet("/healthz", () => "ok");
            map?.Invoke(app);
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return testApp;
    }

    /// <summary>
    /// A client on one connection (requests are answered in order) that does not drain an abandoned response, so
    /// disposing a stream closes the connection at once. <paramref name="permissions"/> null: anonymous.
    /// </summary>
    public HttpClient Client(string? permissions)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1, MaxResponseDrainSize = 0 })
        {
            BaseAddress = Address,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (permissions is not null)
        {
            client.DefaultRequestHeaders.Add(TestPermissionsAuthenticationHandler.PermissionsHeader, permissions);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
