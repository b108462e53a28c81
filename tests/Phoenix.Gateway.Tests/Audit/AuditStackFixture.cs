using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Phoenix.Gateway.Audit;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>One <see cref="GatewayStack"/> (default SQLite audit) shared by a class; tests keep apart by key id.</summary>
[SupportedOSPlatform("linux")]
public sealed class AuditStackFixture : IAsyncLifetime
{
    private GatewayStack? _stack;

    public GatewayStack Stack => _stack ?? throw new InvalidOperationException("The gateway stack did not start.");

    internal IAuditStore Store => Stack.GatewayServices.GetRequiredService<IAuditStore>();

    // The 403 test polls with a key the gateway has not loaded yet: its 401s must not throttle the loopback address.
    public async Task InitializeAsync() =>
        _stack = await GatewayStack.StartAsync(new Dictionary<string, string?> { ["Phoenix:Gateway:Auth:FailureLimit"] = "1000000" });

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
