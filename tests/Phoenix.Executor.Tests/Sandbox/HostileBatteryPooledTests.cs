using System.Runtime.Versioning;
using Phoenix.Executor.Tests.Sandbox.Hostile;
using Xunit.Abstractions;

namespace Phoenix.Executor.Tests.Sandbox;

/// <summary>The hostile battery against warm sandboxes from the pool: every run is asserted to have been warm.</summary>
[SupportedOSPlatform("linux")]
[Collection(HostileBatteryCollection.Name)]
public sealed class HostileBatteryPooledTests(PooledHostileFixture fixture, ITestOutputHelper output)
    : HostileBatteryTests(fixture, output), IClassFixture<PooledHostileFixture>;
