using System.Net;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class PermissionAuthorizationHandlerTests : IDisposable
{
    private readonly AuthKeysDirectory _keys = new();
    private readonly string _executeKey = ApiKeys.Generate();
    private readonly string _auditKey = ApiKeys.Generate();
    private readonly string _adminKey = ApiKeys.Generate();
    private readonly string _noneKey = ApiKeys.Generate();

    public PermissionAuthorizationHandlerTests() =>
        _keys.Write(
            AuthKeysDirectory.Entry("exec", _executeKey, "execute"),
            AuthKeysDirectory.Entry("auditor", _auditKey, "audit"),
            AuthKeysDirectory.Entry("root", _adminKey, "admin"),
            AuthKeysDirectory.Entry("none", _noneKey));

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Authorize_KeyLacksPermission_Returns403Problem()
    {
        await using var host = await AuthTestHost.StartAsync(_keys);

        using var response = await host.GetAsync("/vitals", _executeKey);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await AuthTestHost.ProblemAsync(response);
        Assert.Equal("urn:phoenix:problem:authorization", problem.GetProperty("type").GetString());
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("traceId", out _));
        host.AssertNeverNamed(_executeKey, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/execute", HttpStatusCode.OK, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData("/vitals", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    [InlineData("/audit", HttpStatusCode.Forbidden, HttpStatusCode.OK, HttpStatusCode.Forbidden)]
    [InlineData("/admin", HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden)]
    public async Task Authorize_EachPolicy_NeedsItsPermission(string path, HttpStatusCode execute, HttpStatusCode audit, HttpStatusCode none)
    {
        await using var host = await AuthTestHost.StartAsync(_keys);

        Assert.Equal(execute, (await host.GetAsync(path, _executeKey)).StatusCode);
        Assert.Equal(audit, (await host.GetAsync(path, _auditKey)).StatusCode);
        Assert.Equal(none, (await host.GetAsync(path, _noneKey)).StatusCode);
    }

    [Fact]
    public async Task Authorize_AdminKey_SatisfiesEveryPolicy()
    {
        await using var host = await AuthTestHost.StartAsync(_keys);

        foreach (var path in new[] { "/execute", "/vitals", "/audit", "/admin", "/whoami" })
        {
            using var response = await host.GetAsync(path, _adminKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }
}
