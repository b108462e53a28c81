using System.Runtime.Versioning;

namespace Phoenix.Executor.Tests.Support;

/// <summary>One executor shared by a test class (xunit class fixture).</summary>
[SupportedOSPlatform("linux")]
public sealed class ExecutorFixture : IAsyncLifetime
{
    public ExecutorHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await ExecutorHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
