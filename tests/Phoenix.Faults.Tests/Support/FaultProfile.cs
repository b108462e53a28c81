namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// How long the load and fault tests run. Short by default, so that <c>./test.sh</c> stays quick on a two-core
/// machine; the durations of the issue ("60 s at the saturation point", several faults per run) with
/// <c>PHOENIX_FAULTS=full</c>. Only durations and repetitions differ: every assertion is the same in both.
/// </summary>
internal sealed record FaultProfile
{
    /// <summary>The short profile (the default).</summary>
    public static readonly FaultProfile Short = new()
    {
        Name = "short",
        SaturationWarmUp = TimeSpan.FromSeconds(10),
        SaturationWarmUpLimit = TimeSpan.FromSeconds(90),
        SaturationSteady = TimeSpan.FromSeconds(20),
        FaultCycles = 1,
        LoadAroundFault = TimeSpan.FromSeconds(3),
        ReloadRounds = 1,
    };

    /// <summary>The full profile (<c>PHOENIX_FAULTS=full</c>).</summary>
    public static readonly FaultProfile Full = new()
    {
        Name = "full",
        SaturationWarmUp = TimeSpan.FromSeconds(20),
        SaturationWarmUpLimit = TimeSpan.FromSeconds(180),
        SaturationSteady = TimeSpan.FromSeconds(60),
        FaultCycles = 3,
        LoadAroundFault = TimeSpan.FromSeconds(10),
        ReloadRounds = 4,
    };

    /// <summary>The profile chosen by <c>PHOENIX_FAULTS</c> (<c>full</c>, else short).</summary>
    public static FaultProfile Current { get; } =
        string.Equals(Environment.GetEnvironmentVariable("PHOENIX_FAULTS"), "full", StringComparison.OrdinalIgnoreCase) ? Full : Short;

    public required string Name { get; init; }

    /// <summary>Least load before memory is first measured: JIT, thread pool, connection pools and GC budgets settle.</summary>
    public required TimeSpan SaturationWarmUp { get; init; }

    /// <summary>Most warm-up, when memory does not stop rising earlier.</summary>
    public required TimeSpan SaturationWarmUpLimit { get; init; }

    /// <summary>Load at the saturation point over which memory must stay flat.</summary>
    public required TimeSpan SaturationSteady { get; init; }

    /// <summary>How many times a fault (kill, restart) is repeated in one test.</summary>
    public required int FaultCycles { get; init; }

    /// <summary>Plain load before each fault and after each recovery.</summary>
    public required TimeSpan LoadAroundFault { get; init; }

    /// <summary>How many rounds of valid and invalid reloads.</summary>
    public required int ReloadRounds { get; init; }
}
