using Microsoft.Extensions.Options;
using Phoenix.Gateway.Forwarding;
using Phoenix.Resilience.Circuits;

namespace Phoenix.Gateway.Tests.Forwarding;

public sealed class ExecutorPoolTests
{
    [Fact]
    public void Resolve_Localhost_GivesOneEndpointPerAddressOnTheConfiguredPort()
    {
        var endpoints = ExecutorDnsDiscovery.Resolve(new ExecutorDnsOptions { Name = "localhost", Port = 50071 });

        var loopback = Assert.Single(endpoints, e => e.Address == "http://127.0.0.1:50071/" || e.Address == "http://127.0.0.1:50071");
        Assert.Equal("localhost-127.0.0.1", loopback.Name);
    }

    [Fact]
    public void Constructor_DnsConfigured_PoolHoldsTheResolvedExecutors()
    {
        using var pool = Pool(new ForwardingOptions { Dns = new ExecutorDnsOptions { Name = "localhost", Port = 50072 } });

        Assert.Contains(pool.Endpoints, e => e.Address == new Uri("http://127.0.0.1:50072"));
    }

    [Fact]
    public void Refresh_ChangedList_KeepsListedEndpointsAddsNewDropsGone()
    {
        using var pool = Pool(new ForwardingOptions { Executors = [Endpoint("a", 1), Endpoint("b", 2)] });
        var kept = pool.Endpoints.Single(e => e.Name == "b");

        pool.Refresh([Endpoint("b", 2), Endpoint("c", 3)]);

        Assert.Equal(["b", "c"], pool.Endpoints.Select(e => e.Name));
        Assert.Same(kept, pool.Endpoints[0]);
        Assert.Null(pool.Pick([]) is { Name: "a" } ? "a was picked" : null);
    }

    [Fact]
    public void Refresh_EmptyList_KeepsThePool()
    {
        using var pool = Pool(new ForwardingOptions { Executors = [Endpoint("a", 1)] });

        pool.Refresh([]);

        Assert.Equal("a", Assert.Single(pool.Endpoints).Name);
    }

    private static ExecutorEndpointOptions Endpoint(string name, int port) => new() { Name = name, Address = $"http://127.0.0.1:{50080 + port}" };

    private static ExecutorPool Pool(ForwardingOptions options) =>
        new(Options.Create(options), new CircuitRegistry(TimeProvider.System), TimeProvider.System);
}
