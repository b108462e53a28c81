using Phoenix.Resilience.Correlation;
using Phoenix.Resilience.Errors;

namespace Phoenix.Resilience.Reporting;

/// <summary>
/// Records errors as metrics and, when an endpoint is configured, forwards a sanitized report of each one to it.
/// Registered by <see cref="ErrorReportingServiceCollectionExtensions.AddPhoenixErrorReporting"/>.
/// </summary>
public interface IErrorReporter
{
    /// <summary>
    /// Counts <paramref name="error"/> and queues a sanitized report of it for the reporting endpoint, if one is
    /// configured. Never blocks (a full queue or the reporting rate limit drops the report, and the drop is counted)
    /// and never throws, not even after the reporter was disposed.
    /// </summary>
    /// <param name="error">The error. <see langword="null"/> is ignored.</param>
    /// <param name="context">
    /// Where it happened. Default: <see cref="ErrorContext.Current"/>. Its component tags the metric; its operation and
    /// trace id go into the report.
    /// </param>
    void Report(PhoenixError error, ErrorContext? context = null);
}
