using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Phoenix.Gateway.RateLimiting;
using Phoenix.Hosting.Security;

namespace Phoenix.Gateway.Tests.RateLimiting;

/// <summary>
/// A tiny gateway on real Kestrel (127.0.0.1, ephemeral port): <see cref="TestKeyAuthenticationHandler"/>,
/// <c>AddGatewayRateLimiting</c>, <c>GET /limited/ping</c> (authenticated, per-key limited) and anonymous
/// <c>GET /run</c> (run admission; the handler waits on <see cref="Gate"/>).
/// </summary>
internal sealed class RateLimitTestApp : IAsyncDisposable
{
    private RateLimitTestApp(WebApplication app, Uri address)
    {
        App = app;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public RunGate Gate => App.Services.GetRequiredService<RunGate>();

    public RecordingSecurityEventLog SecurityEvents => (RecordingSecurityEventLog)App.Services.GetRequiredService<ISecurityEventLog>();

    /// <summary>Starts an app with <paramref name="settings"/> (keys under <c>Phoenix:Gateway:RateLimit</c> may be given relative, e.g. <c>PermitsPerMinute</c>).</summary>
    public static async Task<RateLimitTestApp> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            EnvironmentName = "Testing",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key.Contains(':', StringComparison.Ordinal) ? key : $"{RateLimitingOptions.SectionName}:{key}"] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ISecurityEventLog, RecordingSecurityEventLog>();
        builder.Services.AddSingleton<RunGate>();
        builder.Services.AddAuthentication(TestKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestKeyAuthenticationHandler>(TestKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddGatewayRateLimiting(builder.Configuration);

        var app = builder.Build();
        try
        {
            app.UseAuthentication();
            app.UseAuthorization();
            var limited = app.MapGroup("/limited").RequireAuthorization().RequirePerKeyRateLimit();
            limited.MapGet("/ping", () => "pong");
            app.MapGet("/run", async (RunGate gate) =>
            {
                await gate.EnterAsync();
                return "done";
            }).RequireRunAdmission();
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RateLimitTestApp(app, new Uri(address));
    }

    /// <summary>GET <c>/limited/ping</c> as <paramref name="keyId"/>, with its own limit claim when given.</summary>
    public Task<HttpResponseMessage> PingAsync(string keyId, int? ownLimit = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/limited/ping");
        request.Headers.TryAddWithoutValidation(TestKeyAuthenticationHandler.KeyHeader, keyId);
        if (ownLimit is { } limit)
        {
            request.Headers.TryAddWithoutValidation(TestKeyAuthenticationHandler.LimitHeader, limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return Client.SendAsync(request);
    }

    /// <summary>Runs the <c>rate-limit-store</c> health check.</summary>
    public async Task<HealthReportEntry> StoreHealthAsync()
    {
        var report = await App.Services.GetRequiredService<HealthCheckService>()
            .CheckHealthAsync(r => r.Name == RateLimitStoreHealthCheck.Name);
        return report.Entries[RateLimitStoreHealthCheck.Name];
    }

    /// <summary>The problem+json body of <paramref name="response"/>.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Gate.Open();
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
