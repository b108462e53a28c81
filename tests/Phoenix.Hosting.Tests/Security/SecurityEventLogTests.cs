using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Phoenix.Hosting.Security;
using Phoenix.Hosting.Tests.Support;
using Phoenix.Resilience.Sanitization;
using Phoenix.Resilience.Security;

namespace Phoenix.Hosting.Tests.Security;

public sealed class SecurityEventLogTests : IDisposable
{
    private const string Secret = "phx_live_0123456789abcdef0123456789abcdef at /root/.phoenix/keys.json";

    private readonly CapturingLoggerProvider _logs = new();
    private readonly ServiceProvider _services;
    private readonly ISecurityEventLog _log;

    public SecurityEventLogTests()
    {
        _services = new ServiceCollection()
            .AddLogging(logging => logging.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace))
            .AddSecurityEventLog()
            .BuildServiceProvider();
        _log = _services.GetRequiredService<ISecurityEventLog>();
    }

    public static TheoryData<string, int, LogLevel> Events => new()
    {
        { nameof(ISecurityEventLog.AuthenticationFailed), SecurityEventIds.AuthenticationFailed.Id, LogLevel.Warning },
        { nameof(ISecurityEventLog.AuthorizationDenied), SecurityEventIds.AuthorizationDenied.Id, LogLevel.Warning },
        { nameof(ISecurityEventLog.PolicyViolation), SecurityEventIds.PolicyViolation.Id, LogLevel.Warning },
        { nameof(ISecurityEventLog.RateLimited), SecurityEventIds.RateLimited.Id, LogLevel.Information },
        { nameof(ISecurityEventLog.SandboxLimitBreached), SecurityEventIds.SandboxLimitBreached.Id, LogLevel.Warning },
        { nameof(ISecurityEventLog.SandboxFailure), SecurityEventIds.SandboxFailure.Id, LogLevel.Error },
        { nameof(ISecurityEventLog.ConfigurationRejected), SecurityEventIds.ConfigurationRejected.Id, LogLevel.Warning },
        { nameof(ISecurityEventLog.UnsandboxedRun), SecurityEventIds.UnsandboxedRun.Id, LogLevel.Warning },
        { nameof(ISecurityEventLog.CircuitOpened), SecurityEventIds.CircuitOpened.Id, LogLevel.Warning },
    };

    public void Dispose()
    {
        _services.Dispose();
        _logs.Dispose();
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Method_Called_LogsInSecurityCategoryWithStableEventId(string method, int id, LogLevel level)
    {
        Raise(method, "value");

        var log = Assert.Single(_logs.Logs, l => l.Category == SecurityEventIds.Category);
        Assert.Equal(id, log.EventId.Id);
        Assert.Equal(method, log.EventId.Name);
        Assert.Equal(level, log.Level);
    }

    public static TheoryData<string> EventNames => new(Events.Select(row => (string)row[0]));

    [Theory]
    [MemberData(nameof(EventNames))]
    public void Method_SecretInEveryArgument_EveryLoggedValueSanitized(string method)
    {
        Raise(method, Secret);

        var log = Assert.Single(_logs.Logs);
        var values = log.State.Where(p => p.Key != "{OriginalFormat}").Select(p => p.Value as string).ToList();
        Assert.NotEmpty(values);
        var expected = MessageSanitizer.Sanitize(Secret);
        Assert.All(values, v => Assert.Equal(expected, v));
        Assert.NotEqual(Secret, expected);
        Assert.DoesNotContain("0123456789abcdef", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/root/.phoenix", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuthenticationFailed_NoKeyId_LogsNone()
    {
        _log.AuthenticationFailed("127.0.0.1", null, "missing credentials");

        var log = Assert.Single(_logs.Logs);
        Assert.Equal("(none)", log["KeyId"]);
        Assert.Equal("127.0.0.1", log["ClientAddress"]);
    }

    [Theory]
    [InlineData("10.1.2.3", "10.1.2.3")]
    [InlineData("::ffff:192.168.0.1", "::ffff:192.168.0.1")]
    [InlineData("0:0:0:0:0:0:0:1", "::1")]
    [InlineData(null, "(unknown)")]
    public void RateLimited_ClientAddressIsAnIp_LoggedNormalized(string? address, string expected)
    {
        _log.RateLimited(address, "key-1");

        Assert.Equal(expected, Assert.Single(_logs.Logs)["ClientAddress"]);
    }

    [Fact]
    public void AuthorizationDenied_ClientAddressNotAnIp_Sanitized()
    {
        _log.AuthorizationDenied("/root/.phoenix/keys.json", "key-1", "execute");

        var logged = Assert.Single(_logs.Logs)["ClientAddress"];
        Assert.Equal(MessageSanitizer.Sanitize("/root/.phoenix/keys.json"), logged);
        Assert.NotEqual("/root/.phoenix/keys.json", logged);
    }

    [Fact]
    public void Method_RealKeyAndHostPath_NeverInMessage()
    {
        _log.PolicyViolation("phx_live_0123456789abcdef0123456789abcdef", "files[0].path", "escapes the workdir: /etc/shadow");

        var log = Assert.Single(_logs.Logs);
        Assert.DoesNotContain("0123456789abcdef", log.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/etc/shadow", log.Message, StringComparison.Ordinal);
        Assert.Contains("files[0].path", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationRejected_SeveralErrors_JoinedInOneEvent()
    {
        _log.ConfigurationRejected("limits", ["Limit: too high", "Name: required"]);

        var log = Assert.Single(_logs.Logs);
        Assert.Equal("limits", log["Source"]);
        Assert.Equal("Limit: too high; Name: required", log["Errors"]);
    }

    [Fact]
    public void Method_Called_CountsEventTaggedByName()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        var counted = new List<(long Value, string? Event)>();
        string? meterName = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == "phoenix.security.events")
            {
                meterName = instrument.Meter.Name;
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var tag = tags.ToArray().Single(t => t.Key == "event");
            counted.Add((value, tag.Value as string));
        });
        listener.Start();

        _log.RateLimited("10.0.0.1", "key-1");
        _log.RateLimited("10.0.0.1", "key-1");
        _log.CircuitOpened("executor-0");

        Assert.Equal([(1L, "RateLimited"), (1L, "RateLimited"), (1L, "CircuitOpened")], counted);
        Assert.Equal("Phoenix.Hosting", meterName);
    }

    private void Raise(string method, string value)
    {
        switch (method)
        {
            case nameof(ISecurityEventLog.AuthenticationFailed): _log.AuthenticationFailed(value, value, value); break;
            case nameof(ISecurityEventLog.AuthorizationDenied): _log.AuthorizationDenied(value, value, value); break;
            case nameof(ISecurityEventLog.PolicyViolation): _log.PolicyViolation(value, value, value); break;
            case nameof(ISecurityEventLog.RateLimited): _log.RateLimited(value, value); break;
            case nameof(ISecurityEventLog.SandboxLimitBreached): _log.SandboxLimitBreached(value, value); break;
            case nameof(ISecurityEventLog.SandboxFailure): _log.SandboxFailure(value, value); break;
            case nameof(ISecurityEventLog.ConfigurationRejected): _log.ConfigurationRejected(value, [value]); break;
            case nameof(ISecurityEventLog.UnsandboxedRun): _log.UnsandboxedRun(value); break;
            case nameof(ISecurityEventLog.CircuitOpened): _log.CircuitOpened(value); break;
            default: throw new ArgumentOutOfRangeException(nameof(method), method, null);
        }
    }
}
