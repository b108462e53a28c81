namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>HTTP method misuse (405 problem), error pages whatever the Accept header, and path traversal in URLs.</summary>
public sealed partial class HostileRequestTests
{
    [Theory]
    [InlineData("GET", "/api/v1/execute")]
    [InlineData("PUT", "/api/v1/execute")]
    [InlineData("DELETE", "/api/v1/execute")]
    [InlineData("PATCH", "/api/v1/execute")]
    [InlineData("TRACE", "/api/v1/execute")]
    [InlineData("GET", "/api/v1/execute/stream")]
    [InlineData("GET", "/api/v1/execute/validate")]
    [InlineData("POST", "/api/v1/audit")]
    [InlineData("DELETE", "/api/v1/audit")]
    [InlineData("POST", "/api/v1/token")]
    [InlineData("POST", "/health")]
    [InlineData("PROPFIND", "/api/v1/execute")]
    public async Task WrongMethod_Is405Problem(string method, string path)
    {
        var request = Request(new HttpMethod(method), path, AdminKey);
        if (method is "PUT" or "PATCH" or "POST")
        {
            request.Content = GatewayStackJson(EchoBody);
        }

        Expect(await SendAsync(request), 405);
    }

    [Fact]
    public async Task WrongMethod_Anonymous_Is405Or401Problem()
    {
        Expect(await GetAsync(Execute, key: null), 401, 405);
    }

    [Theory]
    [InlineData("/api/v1/execute", 405)]
    [InlineData("/api/v1/nope", 404)]
    public async Task ErrorPage_AcceptHtml_IsStillProblemJson(string path, int status)
    {
        var request = Request(HttpMethod.Get, path, AdminKey);
        request.Headers.TryAddWithoutValidation("Accept", "text/html");

        Expect(await SendAsync(request), status);
    }

    [Fact]
    public async Task ErrorPage_AcceptXml_401IsStillProblemJson()
    {
        var request = Request(HttpMethod.Post, Execute, "phx_unknown");
        request.Headers.TryAddWithoutValidation("Accept", "application/xml");
        request.Content = GatewayStackJson(EchoBody);

        Expect(await SendAsync(request), 401);
    }

    [Theory]
    [InlineData("/api/v1/../../etc/passwd")]
    [InlineData("/api/v1/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/api/v1/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd")]
    [InlineData("/api/v1/execute/..%2f..%2f..%2fetc%2fpasswd")]
    [InlineData("/schemas/..%2f..%2f..%2fetc%2fpasswd")]
    [InlineData("/openapi/..%2f..%2f..%2fetc%2fpasswd.json")]
    [InlineData("/openapi/%2e%2e%2f%2e%2e%2fetc%2fpasswd.json")]
    [InlineData("//etc/passwd")]
    [InlineData("/..;/..;/etc/passwd")]
    [InlineData("/api/v1/..%5c..%5cetc%5cpasswd")]
    [InlineData("/api/v1/%252e%252e/%252e%252e/etc/passwd")]
    [InlineData("/api/v1/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd")]
    public async Task PathTraversal_NeverServesAFile(string path)
    {
        var response = await RawAsync(RawHttp.Head(Address, "GET " + path + " HTTP/1.1", "X-Phoenix-Api-Key: " + AdminKey));

        ExpectRaw(response, 400, 404);
        Assert.DoesNotContain("root:", response.Body, StringComparison.Ordinal);
    }
}
