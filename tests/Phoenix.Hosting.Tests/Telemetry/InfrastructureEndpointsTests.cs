using Microsoft.AspNetCore.Http;
using Phoenix.Hosting.Telemetry;

namespace Phoenix.Hosting.Tests.Telemetry;

public sealed class InfrastructureEndpointsTests
{
    [Theory]
    [InlineData("/healthz", true)]
    [InlineData("/readyz", true)]
    [InlineData("/health", true)]
    [InlineData("/metrics", true)]
    [InlineData("/METRICS", true)]
    [InlineData("/healthz/", true)]
    [InlineData("/api/v1/execute", false)]
    [InlineData("/healthzz", false)]
    [InlineData("/api/metrics", false)]
    [InlineData("/", false)]
    public void IsInfrastructure_Path_MatchesOnlyProbeAndScrapeEndpoints(string path, bool expected) =>
        Assert.Equal(expected, InfrastructureEndpoints.IsInfrastructure(new PathString(path)));
}
