using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Phoenix.Hosting.Tests.Support;

/// <summary>A real Kestrel app on 127.0.0.1 with an ephemeral port, stopped and disposed with the test.</summary>
internal sealed class LoopbackApp : IAsyncDisposable
{
    private LoopbackApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public int Port => Address.Port;

    public HttpClient Client { get; }

    /// <summary>A slim builder on loopback, no file watching, OTLP off, plus <paramref name="settings"/>.</summary>
    public static WebApplicationBuilder CreateBuilder(IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            EnvironmentName = "Testing",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [ServiceDefaultsExtensions.OtlpEndpointKey] = string.Empty,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        return builder;
    }

    public static async Task<LoopbackApp> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new LoopbackApp(app, new Uri(addresses.Single()));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
