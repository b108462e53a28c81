using System.Runtime.Versioning;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>One private <see cref="PostgresCluster"/> per test class; each test takes a fresh database in it.</summary>
[SupportedOSPlatform("linux")]
public sealed class PostgresClusterFixture : IAsyncLifetime
{
    private PostgresCluster? _cluster;

    /// <summary>The running cluster (its start failing fails every test of the class, with the reason).</summary>
    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("The PostgreSQL cluster did not start.");

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
