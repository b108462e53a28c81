using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Tests.Support;

/// <summary>
/// A tiny app on real Kestrel (127.0.0.1, ephemeral port) with <c>AddGatewayAuthentication</c> and one endpoint per
/// policy: <c>/execute</c>, <c>/vitals</c>, <c>/audit</c>, <c>/admin</c>, <c>/token</c> (any authenticated caller, issues
/// a token), <c>/whoami</c> (claims) and anonymous <c>/health</c>.
/// </summary>
internal sealed class AuthTestHost : IAsyncDisposable
{
    private AuthTestHost(WebApplication app, Uri address, AuthLogCapture logs)
    {
        App = app;
        Logs = logs;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public AuthLogCapture Logs { get; }

    /// <summary>Starts a host whose keys file is <paramref name="keys"/>; <paramref name="time"/> replaces the clock when given.</summary>
    public static async Task<AuthTestHost> StartAsync(
        AuthKeysDirectory keys,
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            EnvironmentName = "Testing",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Phoenix:Gateway:KeysFile"] = keys.FilePath,
            ["Phoenix:Gateway:Auth:FailureLimit"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        var logs = new AuthLogCapture();
        builder.Logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddGatewayAuthentication(builder.Configuration);
        var app = builder.Build();
        try
        {
            app.UseGatewayAuthentication();
            app.MapGet("/execute", () => "execute").RequireAuthorization(Permissions.Execute);
            app.MapGet("/vitals", () => "vitals").RequireAuthorization(Permissions.Vitals);
            app.MapGet("/audit", () => "audit").RequireAuthorization(Permissions.Audit);
            app.MapGet("/admin", () => "admin").RequireAuthorization(Permissions.Admin);
            app.MapGet("/whoami", (ClaimsPrincipal user) => string.Join(";", user.Claims.Select(c => $"{c.Type}={c.Value}"))).RequireAuthorization();
            app.MapGet("/token", (ClaimsPrincipal user, TokenIssuer issuer) => issuer.IsEnabled
                    ? Results.Ok(issuer.Issue(user))
                    : Results.Problem(Phoenix.Resilience.Errors.PhoenixProblemDetails.Create(TokenIssuer.NotIssuedHere)))
                .RequireAuthorization();
            app.MapGet("/health", () => "ok").AllowAnonymous();
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AuthTestHost(app, new Uri(address), logs);
    }

    /// <summary>A GET with the key header (when given) and a bearer token (when given).</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string? key = null, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Phoenix-Api-Key", key);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return Client.SendAsync(request);
    }

    /// <summary>Polls <paramref name="path"/> until it answers <paramref name="status"/>, for at most 10 seconds.</summary>
    public async Task<HttpResponseMessage> WaitForStatusAsync(System.Net.HttpStatusCode status, string path, string? key = null, string? bearer = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var response = await GetAsync(path, key, bearer);
            if (response.StatusCode == status || DateTime.UtcNow > deadline)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100);
        }
    }

    /// <summary>The problem+json body of <paramref name="response"/>.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>Asserts that no body of the test and no log names <paramref name="key"/> or its hash.</summary>
    public void AssertNeverNamed(string key, params string[] bodies)
    {
        var hash = ApiKeys.Hash(key);
        var hex = hash["sha256:".Length..];
        foreach (var text in bodies.Concat(Logs.Logs.Select(l => l.Message)))
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(hex, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
