using System.Runtime.Versioning;
using Phoenix.Executor.Tests.Sandbox.Hostile;
using Xunit.Abstractions;

namespace Phoenix.Executor.Tests.Sandbox;

/// <summary>The hostile battery against sandboxes started per run (no warm pool).</summary>
[SupportedOSPlatform("linux")]
[Collection(HostileBatteryCollection.Name)]
public sealed class HostileBatteryColdTests(ColdHostileFixture fixture, ITestOutputHelper output)
    : HostileBatteryTests(fixture, output), IClassFixture<ColdHostileFixture>;
