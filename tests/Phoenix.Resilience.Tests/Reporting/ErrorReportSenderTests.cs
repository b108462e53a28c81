using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Correlation;
using Phoenix.Resilience.Errors;
using Phoenix.Resilience.Reporting;

namespace Phoenix.Resilience.Tests.Reporting;

public sealed class ErrorReportSenderTests : IAsyncLifetime
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> _owned = [];
    private ServiceProvider? _provider;
    private MetricRecorder? _recorder;

    private static ErrorContext Context => new() { Operation = "execute", Component = "gateway.forwarding", TraceId = TraceId };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Send_SecretsInMessageAndDetail_ArriveSanitized(bool includeInternalDetail)
    {
        var receiver = await StartReceiverAsync();
        var reporter = await StartReportingAsync(receiver.Endpoint, ("IncludeInternalDetail", includeInternalDetail ? "true" : "false"));
        var error = PhoenixError.Create(
            ErrorKind.Internal,
            "internal.unexpected",
            "Executor 10.0.3.17:5001 refused key phx_live_9f8e7d6c5b4a3928 reading /var/lib/phoenix/sandbox/run-1/x",
            internalDetail: "System.IO.IOException: Password=Sup3rS3cret;Host=db.internal\n   at Phoenix.Executor.Sandbox.Run() in /src/Sandbox.cs:line 42");

        reporter.Report(error, Context);
        var body = await receiver.NextBodyAsync();

        string[] secrets = ["10.0.3.17", "phx_live_9f8e7d6c5b4a3928", "9f8e7d6c5b4a3928", "/var/lib/phoenix", "Sup3rS3cret", "db.internal", "Sandbox.Run", "/src/Sandbox.cs", "IOException"];
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, body, StringComparison.Ordinal));
        using var json = JsonDocument.Parse(body);
        Assert.Equal("Executor [address] refused key [redacted] reading [path]", json.RootElement.GetProperty("message").GetString());
        Assert.Equal(includeInternalDetail, json.RootElement.TryGetProperty("detail", out _));
    }

    [Fact]
    public async Task Send_Report_CarriesCodeKindSeverityContextAndFakeTime()
    {
        var receiver = await StartReceiverAsync();
        var reporter = await StartReportingAsync(receiver.Endpoint);

        reporter.Report(PhoenixError.Create(ErrorKind.PolicyViolation, "policy.command_not_allowed", "Command 'nc' is not allowed by policy."), Context);
        using var json = JsonDocument.Parse(await receiver.NextBodyAsync());

        var root = json.RootElement;
        Assert.Equal("policy.command_not_allowed", root.GetProperty("code").GetString());
        Assert.Equal("policy_violation", root.GetProperty("kind").GetString());
        Assert.Equal("medium", root.GetProperty("severity").GetString());
        Assert.Equal("Command 'nc' is not allowed by policy.", root.GetProperty("message").GetString());
        Assert.Equal("gateway.forwarding", root.GetProperty("component").GetString());
        Assert.Equal("execute", root.GetProperty("operation").GetString());
        Assert.Equal(TraceId, root.GetProperty("traceId").GetString());
        Assert.Equal(_time.GetUtcNow(), root.GetProperty("timestamp").GetDateTimeOffset());
    }

    [Fact]
    public async Task Send_LongMessage_IsCutToTheMaximumFieldLength()
    {
        var receiver = await StartReceiverAsync();
        var reporter = await StartReportingAsync(receiver.Endpoint, ("MaxFieldLength", "64"));

        reporter.Report(PhoenixError.Create(ErrorKind.Validation, "request.invalid", new string('x', 500)), Context);
        using var json = JsonDocument.Parse(await receiver.NextBodyAsync());

        Assert.Equal(64, json.RootElement.GetProperty("message").GetString()!.Length);
    }

    [Fact]
    public async Task Send_EndpointRefusesConnections_CountsSendFailedAndReportReturns()
    {
        var reporter = await StartReportingAsync(ClosedLoopbackEndpoint());

        reporter.Report(PhoenixError.Create(ErrorKind.Timeout, "executor.timeout", "The executor did not answer in time."), Context);
        reporter.Report(PhoenixError.Create(ErrorKind.Timeout, "executor.timeout", "The executor did not answer in time."), Context);

        await Recorder.WaitUntilAsync(r => r.Sum("phoenix.error_reports.dropped", ("reason", "send_failed")) == 2);
        Assert.Equal(2, Recorder.Sum("phoenix.errors"));
    }

    [Fact]
    public async Task Send_EndpointAnswersServerError_CountsSendFailed()
    {
        var receiver = await StartReceiverAsync(StatusCodes.Status500InternalServerError);
        var reporter = await StartReportingAsync(receiver.Endpoint);

        reporter.Report(PhoenixError.Create(ErrorKind.Unavailable, "executor.unavailable", "No executor is available."), Context);

        await receiver.NextBodyAsync();
        await Recorder.WaitUntilAsync(r => r.Sum("phoenix.error_reports.dropped", ("reason", "send_failed")) == 1);
    }

    [Fact]
    public async Task Send_EndpointNeverAnswers_CountsSendFailedWhenTheSendTimeoutPasses()
    {
        var receiver = await StartReceiverAsync(neverAnswer: true);
        var reporter = await StartReportingAsync(receiver.Endpoint, ("SendTimeout", "00:00:03"));

        reporter.Report(PhoenixError.Create(ErrorKind.Unavailable, "executor.unavailable", "No executor is available."), Context);
        await receiver.NextArrivalAsync();
        Assert.Equal(0, Recorder.Sum("phoenix.error_reports.dropped"));

        _time.Advance(TimeSpan.FromSeconds(3));

        await Recorder.WaitUntilAsync(r => r.Sum("phoenix.error_reports.dropped", ("reason", "send_failed")) == 1);
    }

    [Fact]
    public async Task StopAsync_ReportsStillQueued_SendsThemBeforeStopping()
    {
        var receiver = await StartReceiverAsync();
        var reporter = await StartReportingAsync(receiver.Endpoint, start: false);
        for (var i = 0; i < 3; i++)
        {
            reporter.Report(PhoenixError.Create(ErrorKind.Conflict, $"run.conflict_{i}", "The run already exists."), Context);
        }

        var sender = Provider.GetServices<IHostedService>().OfType<ErrorReportSender>().Single();
        await sender.StartAsync(CancellationToken.None);
        await sender.StopAsync(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(receiver.TryTakeBody(out var body));
            Assert.Contains($"run.conflict_{i}", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Report_AfterTheProviderIsDisposed_DoesNotThrow()
    {
        var reporter = await StartReportingAsync(ClosedLoopbackEndpoint());
        await StopAndDisposeProviderAsync();

        var exception = Record.Exception(() => reporter.Report(PhoenixError.Create(ErrorKind.Internal, "internal.unexpected", "Boom.")));
        Assert.Null(exception);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await StopAndDisposeProviderAsync();
        _recorder?.Dispose();
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }

    private ServiceProvider Provider => _provider ?? throw new InvalidOperationException("Reporting was not started.");

    private MetricRecorder Recorder => _recorder ?? throw new InvalidOperationException("Reporting was not started.");

    private async Task StopAndDisposeProviderAsync()
    {
        if (_provider is not { } provider)
        {
            return;
        }

        _provider = null;
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await provider.DisposeAsync();
    }

    /// <summary>A loopback URI on a port that was just free: connecting to it is refused.</summary>
    private static Uri ClosedLoopbackEndpoint()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/reports");
    }

    private async Task<ReportReceiver> StartReceiverAsync(int statusCode = StatusCodes.Status202Accepted, bool neverAnswer = false)
    {
        var receiver = await ReportReceiver.StartAsync(statusCode, neverAnswer);
        _owned.Add(receiver);
        return receiver;
    }

    private async Task<IErrorReporter> StartReportingAsync(Uri endpoint, params (string Key, string Value)[] settings) =>
        await StartReportingAsync(endpoint, true, settings);

    private async Task<IErrorReporter> StartReportingAsync(Uri endpoint, bool start, params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            [$"{ErrorReportingOptions.SectionName}:Endpoint"] = endpoint.ToString(),
            [$"{ErrorReportingOptions.SectionName}:MaxReportsPerSecond"] = "1000",
        };
        foreach (var (key, value) in settings)
        {
            values[$"{ErrorReportingOptions.SectionName}:{key}"] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging();
        services.AddPhoenixErrorReporting(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        _provider = services.BuildServiceProvider();
        _recorder = new MetricRecorder(_provider.GetRequiredService<IMeterFactory>());
        if (start)
        {
            foreach (var hosted in _provider.GetServices<IHostedService>())
            {
                await hosted.StartAsync(CancellationToken.None);
            }
        }

        return _provider.GetRequiredService<IErrorReporter>();
    }
}
