using System.Net;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class ApiKeyAuthenticationHandlerTests : IDisposable
{
    private const string Challenge = "ApiKey header=\"X-Phoenix-Api-Key\", Bearer realm=\"phoenix\"";
    private readonly AuthKeysDirectory _keys = new();
    private readonly string _key = ApiKeys.Generate();

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task Authenticate_ValidKey_Returns200WithPhoenixClaims()
    {
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute", "vitals") with { RateLimitPerMinute = 100 });
        await using var host = await AuthTestHost.StartAsync(_keys);

        using var execute = await host.GetAsync("/execute", _key);
        using var whoami = await host.GetAsync("/whoami", _key);

        Assert.Equal(HttpStatusCode.OK, execute.StatusCode);
        var claims = await whoami.Content.ReadAsStringAsync();
        Assert.Equal("phoenix:key_id=dev;phoenix:permission=execute;phoenix:permission=vitals;phoenix:rate_limit=100", claims);
    }

    [Fact]
    public async Task Authenticate_NoCredentials_Returns401WithChallengeAndProblem()
    {
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);

        using var response = await host.GetAsync("/execute");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(Challenge, string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString())));
        var problem = await AuthTestHost.ProblemAsync(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("urn:phoenix:problem:authentication", problem.GetProperty("type").GetString());
        Assert.Equal("auth.missing", problem.GetProperty("code").GetString());
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
    }

    [Fact]
    public async Task Authenticate_WrongKey_Returns401InvalidWithoutNamingAnything()
    {
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);
        var wrong = ApiKeys.Generate();

        using var response = await host.GetAsync("/execute", wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        var problem = await AuthTestHost.ProblemAsync(response);
        Assert.Equal("auth.invalid", problem.GetProperty("code").GetString());
        Assert.DoesNotContain("dev", body, StringComparison.Ordinal);
        host.AssertNeverNamed(wrong, body);
        host.AssertNeverNamed(_key, body);
    }

    [Fact]
    public async Task Authenticate_DisabledKey_Returns401ExpiredOrDisabled()
    {
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute") with { Disabled = true });
        await using var host = await AuthTestHost.StartAsync(_keys);

        using var response = await host.GetAsync("/execute", _key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("auth.expired_or_disabled", (await AuthTestHost.ProblemAsync(response)).GetProperty("code").GetString());
        Assert.DoesNotContain("dev", body, StringComparison.Ordinal);
        host.AssertNeverNamed(_key, body);
    }

    [Fact]
    public async Task Authenticate_KeyPastExpiresAt_Returns401()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute") with { ExpiresAt = time.GetUtcNow().AddMinutes(5) });
        await using var host = await AuthTestHost.StartAsync(_keys, time: time);

        using var before = await host.GetAsync("/execute", _key);
        time.Advance(TimeSpan.FromMinutes(5));
        using var atExpiry = await host.GetAsync("/execute", _key);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, atExpiry.StatusCode);
        Assert.Equal("auth.expired_or_disabled", (await AuthTestHost.ProblemAsync(atExpiry)).GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("api_key")]
    [InlineData("X-Phoenix-Api-Key")]
    [InlineData("apiKey")]
    public async Task Authenticate_KeyInQueryString_IsIgnored(string parameter)
    {
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);

        using var response = await host.GetAsync($"/execute?{parameter}={Uri.EscapeDataString(_key)}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("auth.missing", (await AuthTestHost.ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Authenticate_AbsurdHeaderValues_Return401WithoutThrowing()
    {
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);
        string[] values = [new string('a', 60_000), new string('a', 8_000), _key + new string('x', 300), "phx_\u007fabc", "phx_ a b", "phx_\u0001", string.Empty];

        foreach (var value in values)
        {
            using var response = await host.GetAsync("/execute", value);
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest or HttpStatusCode.RequestHeaderFieldsTooLarge, $"{response.StatusCode} for a value of length {value.Length}");
        }

        using var twice = new HttpRequestMessage(HttpMethod.Get, "/execute");
        twice.Headers.TryAddWithoutValidation("X-Phoenix-Api-Key", [_key, _key]);
        using var several = await host.Client.SendAsync(twice);
        Assert.Equal(HttpStatusCode.Unauthorized, several.StatusCode);
        Assert.Equal("auth.invalid", (await AuthTestHost.ProblemAsync(several)).GetProperty("code").GetString());

        using var still = await host.GetAsync("/execute", _key);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        Assert.DoesNotContain(host.Logs.Logs, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task Authenticate_AnonymousEndpoint_NeedsNoKey()
    {
        _keys.Write(AuthKeysDirectory.Entry("dev", _key, "execute"));
        await using var host = await AuthTestHost.StartAsync(_keys);

        using var response = await host.GetAsync("/health", "phx_wrong");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
