using System.Runtime.Versioning;

namespace Phoenix.Executor.Tests.Sandbox.Hostile;

/// <summary>The battery's executors without a warm pool: every run starts its own sandbox.</summary>
[SupportedOSPlatform("linux")]
public sealed class ColdHostileFixture : HostileFixture
{
    public override int PoolSize => 0;
}
