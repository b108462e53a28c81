using System.Net;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;
using Phoenix.Resilience.Security;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class ApiKeyStoreTests : IDisposable
{
    private readonly AuthKeysDirectory _keys = new();
    private readonly string _first = ApiKeys.Generate();
    private readonly string _second = ApiKeys.Generate();

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Match_KeyAddedToFile_WorksWithoutRestart()
    {
        _keys.Write(AuthKeysDirectory.Entry("first", _first, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/execute", _second)).StatusCode);

        _keys.Write(AuthKeysDirectory.Entry("first", _first, "execute"), AuthKeysDirectory.Entry("second", _second, "execute"));

        using var response = await host.WaitForStatusAsync(HttpStatusCode.OK, "/execute", _second);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Match_KeyDisabledInFile_FailsWithoutRestart()
    {
        _keys.Write(AuthKeysDirectory.Entry("first", _first, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/execute", _first)).StatusCode);

        _keys.Write(AuthKeysDirectory.Entry("first", _first, "execute") with { Disabled = true });

        using var response = await host.WaitForStatusAsync(HttpStatusCode.Unauthorized, "/execute", _first);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Match_KeyRotated_NewKeyWorksAndOldFails()
    {
        _keys.Write(AuthKeysDirectory.Entry("svc", _first, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);

        _keys.Write(AuthKeysDirectory.Entry("svc", _second, "execute"));

        using var rotated = await host.WaitForStatusAsync(HttpStatusCode.OK, "/execute", _second);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.GetAsync("/execute", _first)).StatusCode);
    }

    [Fact]
    public async Task Match_InvalidFileWritten_LastGoodStaysAndEventIsLogged()
    {
        _keys.Write(AuthKeysDirectory.Entry("first", _first, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);

        _keys.WriteRaw("""{"keys":[{"id":"first","hash":"sha256:nothex","permissions":["execute"]}]}""");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!host.Logs.Logs.Any(l => l.EventId.Id == SecurityEventIds.ConfigurationRejected.Id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Contains(host.Logs.Logs, l => l.Category == SecurityEventIds.Category && l.EventId.Id == SecurityEventIds.ConfigurationRejected.Id);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/execute", _first)).StatusCode);

        _keys.WriteRaw("not json at all");
        await Task.Delay(1500);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/execute", _first)).StatusCode);
        host.AssertNeverNamed(_first);
    }
}
