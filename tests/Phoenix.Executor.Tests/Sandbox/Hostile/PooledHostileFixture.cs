using System.Runtime.Versioning;

namespace Phoenix.Executor.Tests.Sandbox.Hostile;

/// <summary>
/// The battery's executors with a warm pool of two (enough for the case that runs two sandboxes at once): every run
/// the battery makes is asserted to have run in a warm sandbox.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PooledHostileFixture : HostileFixture
{
    public override int PoolSize => 2;
}
