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
    [InlineData("/grpc.health.v1.Health/Check", true)]
    [InlineData("/grpc.health.v1.Health/Watch", true)]
    [InlineData("/phoenix.executor.v1.Executor/Execute", false)]
    [InlineData("/api/v1/execute", false)]
    [InlineData("/healthzz", false)]
    [InlineData("/api/metrics", false)]
    [InlineData("/", false)]
    public void IsInfrastructure_Path_MatchesOnlyProbeScrapeAndGrpcHealthEndpoints(string path, bool expected) =>
        Assert.Equal(expected, InfrastructureEndpoints.IsInfrastructure(new PathString(path)));
}
