using System.Net;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// One real stack (executor + gateway on loopback) per test class, with a keys file holding an admin key, a
/// vitals-only key, an execute-only key, a disabled key and an expired key, a known JWT signing key, and the
/// failed-authentication throttle raised so that hostile 401s do not lock the test client's address out.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileStackFixture : IAsyncLifetime
{
    public GatewayStack Stack { get; private set; } = null!;

    /// <summary>A client without default headers (each request sets its own).</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The HS256 key the gateway signs and checks tokens with.</summary>
    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    internal HostileKey Admin { get; private set; } = null!;

    internal HostileKey VitalsOnly { get; } = HostileKey.New("vitals-only", "vitals");

    internal HostileKey ExecuteOnly { get; } = HostileKey.New("execute-only", "execute");

    internal HostileKey Disabled { get; } = HostileKey.New("disabled-key", HostileKey.All) with { Disabled = true };

    internal HostileKey Expired { get; } = HostileKey.New("expired-key", HostileKey.All) with { ExpiresAt = DateTimeOffset.Parse("2020-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>Every key of the initial file.</summary>
    internal IReadOnlyList<HostileKey> Keys => [Admin, VitalsOnly, ExecuteOnly, Disabled, Expired];

    /// <summary>What no response may contain: every key, every hash, the signing key.</summary>
    internal List<string> Secrets { get; } = [];

    public async Task InitializeAsync()
    {
        Stack = await GatewayStack.StartAsync(new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Jwt:SigningKey"] = Convert.ToBase64String(SigningKey),
            ["Phoenix:Gateway:Auth:FailureLimit"] = "1000000",
        });
        Http = new HttpClient { BaseAddress = Stack.Address, Timeout = TimeSpan.FromSeconds(60) };
        Admin = new HostileKey("test-admin", Stack.Key, HostileKey.All, RateLimitPerMinute: 100_000);
        await KeysFileEditor.WriteAsync(Stack.KeysFile, Keys);
        foreach (var key in Keys)
        {
            Secrets.AddRange(key.Secrets);
        }

        Secrets.Add(Convert.ToBase64String(SigningKey));
        Secrets.Add(Convert.ToHexString(SigningKey));

        // The vitals-only key authenticates (403, not 401) once the new file is in force.
        await Eventually.TrueAsync(async () => await StatusAsync(VitalsOnly.Secret) == HttpStatusCode.Forbidden, seconds: 10);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Stack.DisposeAsync();
    }

    /// <summary>The status of a cheap <c>/execute/validate</c> call with <paramref name="key"/>.</summary>
    internal async Task<HttpStatusCode> StatusAsync(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/execute/validate") { Content = GatewayStack.Json("""{"command":"echo"}""") };
        request.Headers.Add("X-Phoenix-Api-Key", key);
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }
}
