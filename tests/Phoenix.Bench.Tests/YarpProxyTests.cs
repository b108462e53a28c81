using System.Net;
using System.Net.Http.Json;
using Phoenix.Bench.Yarp;

namespace Phoenix.Bench.Tests;

/// <summary>The YARP app of the benchmark forwards to the instant backend's JSON endpoint.</summary>
public sealed class YarpProxyTests(InstantBackendFixture fixture) : IClassFixture<InstantBackendFixture>
{
    [Fact]
    public async Task Post_Execute_ForwardedToTheBackend()
    {
        await using var proxy = await YarpProxy.StartAsync(["--destination=" + fixture.Backend.HttpAddress]);
        using var http = new HttpClient { BaseAddress = proxy.Address };

        using var response = await http.PostAsJsonAsync("/api/v1/execute", new { command = "python3" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"succeeded\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_NoDestination_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => YarpProxy.StartAsync([]));
    }
}
