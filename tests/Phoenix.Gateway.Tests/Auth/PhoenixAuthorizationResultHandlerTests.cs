using System.Net;
using Microsoft.Extensions.Logging;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;
using Phoenix.Resilience.Security;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class PhoenixAuthorizationResultHandlerTests : IDisposable
{
    private readonly AuthKeysDirectory _keys = new();
    private readonly string _key = ApiKeys.Generate();
    private readonly string _disabledKey = ApiKeys.Generate();

    public PhoenixAuthorizationResultHandlerTests() =>
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute"), AuthKeysDirectory.Entry("old", _disabledKey, "execute") with { Disabled = true });

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Handle_AuthenticationFails_LogsEvent5001WithoutTheKey()
    {
        await using var host = await AuthTestHost.StartAsync(_keys);
        var wrong = ApiKeys.Generate();

        (await host.GetAsync("/execute")).Dispose();
        (await host.GetAsync("/execute", wrong)).Dispose();
        (await host.GetAsync("/execute", _disabledKey)).Dispose();

        var events = host.Logs.Logs.Where(l => l.Category == SecurityEventIds.Category && l.EventId.Id == 5001).ToArray();
        Assert.Equal(3, events.Length);
        Assert.All(events, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.All(events, e => Assert.Contains("127.0.0.1", e.Message, StringComparison.Ordinal));
        Assert.Contains("missing", events[0].Message, StringComparison.Ordinal);
        Assert.Contains("invalid", events[1].Message, StringComparison.Ordinal);
        Assert.Contains("old", events[2].Message, StringComparison.Ordinal);
        Assert.Contains("disabled", events[2].Message, StringComparison.Ordinal);
        host.AssertNeverNamed(wrong);
        host.AssertNeverNamed(_disabledKey);
        host.AssertNeverNamed(_key);
    }

    [Fact]
    public async Task Handle_PermissionMissing_LogsEvent5002WithKeyIdAndPermission()
    {
        await using var host = await AuthTestHost.StartAsync(_keys);

        (await host.GetAsync("/audit", _key)).Dispose();

        var denied = Assert.Single(host.Logs.Logs, l => l.Category == SecurityEventIds.Category && l.EventId.Id == 5002);
        Assert.Contains("dev", denied.Message, StringComparison.Ordinal);
        Assert.Contains("audit", denied.Message, StringComparison.Ordinal);
        host.AssertNeverNamed(_key);
    }

    [Fact]
    public async Task Handle_Success_LogsNoSecurityEvent()
    {
        await using var host = await AuthTestHost.StartAsync(_keys);

        using var response = await host.GetAsync("/execute", _key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(host.Logs.Logs, l => l.EventId.Id is 5001 or 5002);
    }
}
