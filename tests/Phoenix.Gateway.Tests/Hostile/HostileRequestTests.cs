using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// The hostile request corpus, sent over real HTTP (and raw sockets where <see cref="HttpClient"/> would refuse or
/// normalize) to a real gateway in front of a real executor. Every response passes <see cref="HostileAssert.Safe"/>:
/// no 5xx, problem+json with a 32-hex traceId for every error, no stack trace, exception type, host path, key, hash
/// or server banner. The topics are in the partial files <c>HostileRequestTests.*.cs</c>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class HostileRequestTests(HostileStackFixture fixture) : IClassFixture<HostileStackFixture>
{
    private const string Execute = "/api/v1/execute";

    private Uri Address => fixture.Stack.Address;

    private string AdminKey => fixture.Admin.Secret;

    /// <summary>A request carrying <paramref name="key"/> (none when null).</summary>
    private static HttpRequestMessage Request(HttpMethod method, string path, string? key)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Phoenix-Api-Key", key);
        }

        return request;
    }

    private async Task<HostileResponse> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await fixture.Http.SendAsync(request);
            return await HostileResponse.FromAsync(response);
        }
    }

    private Task<HostileResponse> PostJsonAsync(string path, string json) =>
        PostBytesAsync(path, Encoding.UTF8.GetBytes(json), "application/json");

    private Task<HostileResponse> PostBytesAsync(string path, byte[] body, string? contentType, string? key = null)
    {
        var request = Request(HttpMethod.Post, path, key ?? AdminKey);
        request.Content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        return SendAsync(request);
    }

    private Task<HostileResponse> GetAsync(string path, string? key)
    {
        return SendAsync(Request(HttpMethod.Get, path, key));
    }

    private Task<HostileResponse> RawAsync(byte[] request, Func<Stream, CancellationToken, Task>? body = null) =>
        RawHttp.SendAsync(Address, request, body);

    private JsonElement? Expect(HostileResponse response, params int[] statuses) =>
        HostileAssert.Status(response, fixture.Secrets, statuses);

    private JsonElement? ExpectRaw(HostileResponse response, params int[] statuses) =>
        HostileAssert.Status(response, fixture.Secrets, statuses, SafeOptions.Protocol);

    /// <summary>Theory rows from the keys of a case table (bodies stay out of test names).</summary>
    private static TheoryData<string> Names<T>(IReadOnlyDictionary<string, T> cases) => [.. cases.Keys];

    /// <summary>The stdout of a 200 execute answer.</summary>
    private static string Stdout(HostileResponse response)
    {
        using var body = JsonDocument.Parse(response.Body);
        return body.RootElement.GetProperty("stdout").GetString()!;
    }

    [Fact]
    public async Task Baseline_EchoWithAdminKey_Is200AndSafe()
    {
        var response = await PostJsonAsync(Execute, """{"command":"echo","args":["hostile"]}""");

        Expect(response, 200);
        Assert.Equal("hostile\n", Stdout(response));
    }

    [Fact]
    public async Task Baseline_PublicEndpoints_AreSafe()
    {
        foreach (var path in new[] { "/health", "/healthz", "/readyz", "/schemas/execute.json", "/openapi/v1.json", "/api/v1/nope" })
        {
            Expect(await GetAsync(path, key: null), 200, 404);
        }
    }
}
