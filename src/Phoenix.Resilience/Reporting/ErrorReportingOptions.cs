using System.ComponentModel.DataAnnotations;

namespace Phoenix.Resilience.Reporting;

/// <summary>
/// Options of error reporting, bound from <c>Phoenix:Resilience:ErrorReporting</c>. Errors are always counted as
/// metrics; reports are sent only when <see cref="Endpoint"/> is set.
/// </summary>
public sealed class ErrorReportingOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Phoenix:Resilience:ErrorReporting";

    /// <summary>
    /// Absolute <c>http</c> or <c>https</c> URI that receives each report as a JSON <c>POST</c>.
    /// Default <see langword="null"/>: nothing is sent, errors are only counted.
    /// </summary>
    public Uri? Endpoint { get; set; }

    /// <summary>How many reports may wait to be sent; when full, new reports are dropped and counted. Default 1000; 1 to 1,000,000.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>
    /// How many reports may be queued per second (a token bucket of this size refilled every second); the excess is
    /// dropped and counted. Default 10; 1 to 100,000.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxReportsPerSecond { get; set; } = 10;

    /// <summary>How long one send may take before it counts as failed. Default 5 seconds; 10 ms to 5 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether a report carries the error's internal detail (sanitized, like every field). Default
    /// <see langword="false"/>: internal detail stays in the logs.
    /// </summary>
    public bool IncludeInternalDetail { get; set; }

    /// <summary>Longest text field of a report, in characters, after sanitization; longer ones are cut. Default 2048; 64 to 65,536.</summary>
    [Range(64, 65_536)]
    public int MaxFieldLength { get; set; } = 2048;
}
