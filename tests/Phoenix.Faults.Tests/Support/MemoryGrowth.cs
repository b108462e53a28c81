namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// How a service's memory moved over a steady load: resident memory (from the highest at the start to the median at the
/// end, both under load right after a full GC) and live managed heap (after a full GC, load paused).
/// </summary>
internal sealed record MemoryGrowth(string Service, long BaselineResident, long FinalResident, long BaselineHeap, long FinalHeap, int Samples)
{
    /// <summary>Final (median) over baseline (highest) resident memory, minus one (0.05 = grew 5 %).</summary>
    public double ResidentGrowth => (double)FinalResident / BaselineResident - 1;

    /// <summary>Final over baseline managed heap after a full GC, minus one.</summary>
    public double HeapGrowth => (double)FinalHeap / BaselineHeap - 1;

    public override string ToString() =>
        FormattableString.Invariant(
            $"{Service}: RSS {Mib(BaselineResident)} (highest at start) → {Mib(FinalResident)} MiB (median at end) ({ResidentGrowth:+0.0%;-0.0%}), live managed heap when idle {Mib(BaselineHeap)} → {Mib(FinalHeap)} MiB ({HeapGrowth:+0.0%;-0.0%}), {Samples} RSS samples");

    private static string Mib(long bytes) => FormattableString.Invariant($"{bytes / 1048576.0:F1}");
}
