using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Phoenix.Resilience.Errors;
using Phoenix.Resilience.Telemetry;

namespace Phoenix.Resilience.Reporting;

/// <summary>
/// The instruments of error reporting, on the <see cref="ResilienceTelemetry.Name"/> meter:
/// <c>phoenix.errors</c> (<c>{error}</c>; tags <c>error.kind</c>, <c>phoenix.component</c>, <c>phoenix.severity</c>) and
/// <c>phoenix.error_reports.dropped</c> (<c>{report}</c>; tag <c>reason</c>: <c>queue_full</c>, <c>rate_limited</c>, <c>send_failed</c>).
/// </summary>
internal sealed class ErrorReportingMetrics : IDisposable
{
    /// <summary>Name of the error counter.</summary>
    public const string ErrorsInstrument = "phoenix.errors";

    /// <summary>Name of the dropped-report counter.</summary>
    public const string DroppedInstrument = "phoenix.error_reports.dropped";

    /// <summary>Drop reason: the queue was full.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>Drop reason: the reporting rate limit was reached.</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>Drop reason: the endpoint could not be reached, timed out or answered with an error status.</summary>
    public const string SendFailed = "send_failed";

    /// <summary>Component tag of an error reported outside any <c>ErrorContext</c>.</summary>
    public const string UnknownComponent = "unknown";

    private static readonly FrozenDictionary<ErrorKind, string> KindNames =
        Enum.GetValues<ErrorKind>().ToFrozenDictionary(kind => kind, kind => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString()));

    private static readonly FrozenDictionary<Severity, string> SeverityNames =
        Enum.GetValues<Severity>().ToFrozenDictionary(severity => severity, severity => JsonNamingPolicy.SnakeCaseLower.ConvertName(severity.ToString()));

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _dropped;

    /// <summary>Creates the instruments on the meter from <paramref name="meterFactory"/>, or on a meter of its own.</summary>
    public ErrorReportingMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = ResilienceTelemetry.CreateMeter(meterFactory);

        // A factory's meters are shared and disposed by the factory; only a standalone meter is ours to dispose.
        _ownsMeter = meterFactory is null;
        _errors = _meter.CreateCounter<long>(ErrorsInstrument, "{error}", "Errors reported, by kind, component and severity.");
        _dropped = _meter.CreateCounter<long>(DroppedInstrument, "{report}", "Error reports not delivered to the reporting endpoint, by reason.");
    }

    /// <summary>The snake-case name of <paramref name="kind"/> (<c>policy_violation</c>), or <c>unknown</c>.</summary>
    public static string KindName(ErrorKind kind) => KindNames.GetValueOrDefault(kind, UnknownComponent);

    /// <summary>The lower-case name of <paramref name="severity"/> (<c>high</c>), or <c>unknown</c>.</summary>
    public static string SeverityName(Severity severity) => SeverityNames.GetValueOrDefault(severity, UnknownComponent);

    /// <summary>Counts one error.</summary>
    public void RecordError(ErrorKind kind, Severity severity, string? component)
    {
        var tags = new TagList
        {
            { "error.kind", KindName(kind) },
            { "phoenix.component", string.IsNullOrWhiteSpace(component) ? UnknownComponent : component },
            { "phoenix.severity", SeverityName(severity) },
        };
        _errors.Add(1, tags);
    }

    /// <summary>Counts one report that was not delivered, for <paramref name="reason"/>.</summary>
    public void RecordDropped(string reason) => _dropped.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
