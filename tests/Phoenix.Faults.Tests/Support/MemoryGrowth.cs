namespace Phoenix.Faults.Tests.Support;

/// <summary>How a service's memory moved over a window: medians of its first and last quarter.</summary>
internal sealed record MemoryGrowth(string Service, long BaselineBytes, long FinalBytes, long? BaselineHeapBytes, long? FinalHeapBytes, int Samples)
{
    /// <summary>Final over baseline resident memory, minus one (0.05 = grew 5 %).</summary>
    public double Growth => (double)FinalBytes / BaselineBytes - 1;

    public override string ToString() =>
        FormattableString.Invariant(
            $"{Service}: RSS {BaselineBytes / 1048576.0:F1} → {FinalBytes / 1048576.0:F1} MiB ({Growth:+0.0%;-0.0%}), managed heap {Mib(BaselineHeapBytes)} → {Mib(FinalHeapBytes)} MiB, {Samples} samples");

    private static string Mib(long? bytes) => bytes is { } b ? FormattableString.Invariant($"{b / 1048576.0:F1}") : "?";
}
