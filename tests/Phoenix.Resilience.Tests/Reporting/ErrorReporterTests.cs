using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Correlation;
using Phoenix.Resilience.Errors;
using Phoenix.Resilience.Reporting;

namespace Phoenix.Resilience.Tests.Reporting;

public sealed class ErrorReporterTests : IDisposable
{
    private static readonly Uri Endpoint = new("http://127.0.0.1:9/reports");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero));
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MetricRecorder _recorder;
    private readonly List<IDisposable> _owned = [];

    public ErrorReporterTests()
    {
        _recorder = new MetricRecorder(_meters.GetRequiredService<IMeterFactory>());
    }

    [Fact]
    public void Report_Error_CountsItTaggedWithKindComponentAndSeverity()
    {
        var (reporter, _) = Create(new ErrorReportingOptions());
        var error = PhoenixError.Create(ErrorKind.PolicyViolation, "policy.command_not_allowed", "Command 'nc' is not allowed by policy.");
        var context = new ErrorContext { Operation = "execute", Component = "executor.policy" };

        reporter.Report(error, context);

        var measurement = Assert.Single(_recorder.Measurements);
        Assert.Equal("phoenix.errors", measurement.Instrument);
        Assert.Equal("{error}", measurement.Unit);
        Assert.Equal(1, measurement.Value);
        Assert.Contains(new KeyValuePair<string, object?>("error.kind", "policy_violation"), measurement.Tags);
        Assert.Contains(new KeyValuePair<string, object?>("phoenix.component", "executor.policy"), measurement.Tags);
        Assert.Contains(new KeyValuePair<string, object?>("phoenix.severity", "medium"), measurement.Tags);
    }

    [Fact]
    public void Report_NoContextGiven_UsesTheAmbientContext()
    {
        var (reporter, queue) = Create(new ErrorReportingOptions { Endpoint = Endpoint });
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
        using var scope = ErrorContext.Begin("forward", "gateway.forwarding");

        reporter.Report(PhoenixError.Create(ErrorKind.Unavailable, "executor.unavailable", "No executor is available."));

        Assert.Equal(1, _recorder.Sum("phoenix.errors", ("phoenix.component", "gateway.forwarding"), ("phoenix.severity", "high")));
        Assert.True(queue.Reader.TryRead(out var pending));
        Assert.Equal("gateway.forwarding", pending.Component);
        Assert.Equal("forward", pending.Operation);
        Assert.Equal(activity.TraceId.ToHexString(), pending.TraceId);
        Assert.Equal(_time.GetUtcNow(), pending.Timestamp);
    }

    [Fact]
    public void Report_OutsideAnyContext_TagsUnknownComponent()
    {
        var (reporter, _) = Create(new ErrorReportingOptions());

        reporter.Report(PhoenixError.Create(ErrorKind.Internal, "internal.unexpected", "An internal error occurred."));

        Assert.Equal(1, _recorder.Sum("phoenix.errors", ("phoenix.component", "unknown"), ("error.kind", "internal"), ("phoenix.severity", "critical")));
    }

    [Fact]
    public void Report_NoEndpoint_CountsTheErrorButQueuesNothing()
    {
        var (reporter, queue) = Create(new ErrorReportingOptions { Endpoint = null });

        reporter.Report(Error());

        Assert.Equal(1, _recorder.Sum("phoenix.errors"));
        Assert.Equal(0, queue.Reader.Count);
        Assert.Equal(0, _recorder.Sum("phoenix.error_reports.dropped"));
    }

    [Fact]
    public void Report_QueueFull_DropsTheExcessAndCountsQueueFull()
    {
        var (reporter, queue) = Create(new ErrorReportingOptions { Endpoint = Endpoint, QueueCapacity = 2, MaxReportsPerSecond = 100 });

        for (var i = 0; i < 5; i++)
        {
            reporter.Report(Error());
        }

        Assert.Equal(2, queue.Reader.Count);
        Assert.Equal(5, _recorder.Sum("phoenix.errors"));
        Assert.Equal(3, _recorder.Sum("phoenix.error_reports.dropped", ("reason", "queue_full")));
        Assert.Equal(0, _recorder.Sum("phoenix.error_reports.dropped", ("reason", "rate_limited")));
    }

    [Fact]
    public void Report_OverTheRateLimit_DropsTheExcessAndRecoversAfterASecond()
    {
        var (reporter, queue) = Create(new ErrorReportingOptions { Endpoint = Endpoint, QueueCapacity = 100, MaxReportsPerSecond = 3 });

        for (var i = 0; i < 5; i++)
        {
            reporter.Report(Error());
        }

        Assert.Equal(3, queue.Reader.Count);
        Assert.Equal(2, _recorder.Sum("phoenix.error_reports.dropped", ("reason", "rate_limited")));

        _time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 4; i++)
        {
            reporter.Report(Error());
        }

        Assert.Equal(6, queue.Reader.Count);
        Assert.Equal(3, _recorder.Sum("phoenix.error_reports.dropped", ("reason", "rate_limited")));
        Assert.Equal(9, _recorder.Sum("phoenix.errors"));
    }

    [Fact]
    public void Report_LessThanASecondLater_StaysRateLimited()
    {
        var (reporter, queue) = Create(new ErrorReportingOptions { Endpoint = Endpoint, MaxReportsPerSecond = 1 });
        reporter.Report(Error());

        _time.Advance(TimeSpan.FromMilliseconds(999));
        reporter.Report(Error());

        Assert.Equal(1, queue.Reader.Count);
        Assert.Equal(1, _recorder.Sum("phoenix.error_reports.dropped", ("reason", "rate_limited")));
    }

    [Fact]
    public void Report_AfterTheQueueAndMetricsAreDisposed_DoesNotThrow()
    {
        var (reporter, _) = Create(new ErrorReportingOptions { Endpoint = Endpoint });
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        var exception = Record.Exception(() => reporter.Report(Error()));

        Assert.Null(exception);
    }

    [Fact]
    public void Report_NullError_DoesNotThrow()
    {
        var (reporter, _) = Create(new ErrorReportingOptions { Endpoint = Endpoint });

        var exception = Record.Exception(() => reporter.Report(null!));

        Assert.Null(exception);
        Assert.Empty(_recorder.Measurements);
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _recorder.Dispose();
        _meters.Dispose();
    }

    private static PhoenixError Error() => PhoenixError.Create(ErrorKind.Timeout, "executor.timeout", "The executor did not answer in time.");

    private (ErrorReporter Reporter, ErrorReportQueue Queue) Create(ErrorReportingOptions options)
    {
        var wrapped = Options.Create(options);
        var queue = new ErrorReportQueue(wrapped, _time);
        var metrics = new ErrorReportingMetrics(_meters.GetRequiredService<IMeterFactory>());
        _owned.Add(queue);
        _owned.Add(metrics);
        return (new ErrorReporter(wrapped, queue, metrics, _time), queue);
    }
}
