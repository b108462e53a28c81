namespace Phoenix.Hosting.Tests.Telemetry;

/// <summary>
/// Tests that scrape a host's metrics run alone: an OpenTelemetry meter provider listens to meters by name across the
/// whole process, so the ASP.NET Core meters of hosts that other tests start and dispose at the same time reach this
/// host's provider too, and their disposal can end the metric stream this host's requests would have been recorded in.
/// One host per process (the services) never sees that.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMetricsCollection
{
    public const string Name = "Process-wide metrics";
}
