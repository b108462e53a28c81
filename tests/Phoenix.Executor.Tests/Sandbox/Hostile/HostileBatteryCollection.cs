namespace Phoenix.Executor.Tests.Sandbox.Hostile;

/// <summary>
/// The hostile battery asserts that no process of the sandbox's host uid (61000) is alive after each
/// case. That uid is shared by every executor in the test assembly, so the battery must not run while
/// another class runs sandboxes: this collection runs alone, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileBatteryCollection
{
    public const string Name = "Hostile battery";
}
