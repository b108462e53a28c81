using Phoenix.Bench.InstantExecutor;

namespace Phoenix.Bench.Tests;

/// <summary>One instant backend on loopback ephemeral ports for a test class, stopped after it.</summary>
public sealed class InstantBackendFixture : IAsyncLifetime
{
    private InstantBackend? _backend;

    public InstantBackend Backend => _backend ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _backend = await InstantBackend.StartAsync([]);

    public async Task DisposeAsync()
    {
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }
}
