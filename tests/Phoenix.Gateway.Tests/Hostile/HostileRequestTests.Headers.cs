using System.Globalization;
using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// Malformed HTTP over a raw socket: CRLF and bare CR/LF in header values, NUL, obsolete line folding, header floods,
/// oversize headers and request lines, several key headers, bad framing (Content-Length, Transfer-Encoding).
/// Kestrel refuses some of these before any middleware runs; those answers may be bare (no body) but never 5xx.
/// </summary>
public sealed partial class HostileRequestTests
{
    private const string EchoBody = """{"command":"echo","args":["x"]}""";

    [Fact]
    public async Task Execute_CrlfInjectedIntoKeyHeader_Is401WithoutInjectedHeader()
    {
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            "X-Phoenix-Api-Key: a\r\nX-Injected: 1", "Content-Type: application/json", "Content-Length: " + EchoBody.Length.ToString(CultureInfo.InvariantCulture));

        var response = await RawAsync([.. head, .. Encoding.ASCII.GetBytes(EchoBody)]);

        Expect(response, 401);
    }

    [Fact]
    public async Task Health_CrlfInjectedHeader_IsNotReflected()
    {
        var head = RawHttp.Head(Address, "GET /health HTTP/1.1", "X-Request-Id: a\r\nX-Injected: 1", "traceparent: x\r\nX-Injected: 2");

        Expect(await RawAsync(head), 200);
    }

    [Theory]
    [InlineData("bare-cr", "X-Phoenix-Api-Key: a\rX-Injected: 1")]
    [InlineData("bare-lf", "X-Phoenix-Api-Key: a\nX-Injected: 1")]
    [InlineData("nul-in-value", "X-Phoenix-Api-Key: a\0b")]
    [InlineData("obs-fold", "X-Phoenix-Api-Key: a\r\n b")]
    [InlineData("space-before-colon", "X-Phoenix-Api-Key : a")]
    [InlineData("no-colon", "X-Phoenix-Api-Key")]
    [InlineData("non-ascii-key", "X-Phoenix-Api-Key: phx_\u00C3\u00A9t\u00C3\u00A9")]
    [InlineData("control-char-name", "X-Phoen\u0001ix: a")]
    public async Task Execute_MalformedHeaderLine_IsRefusedWithout5xx(string name, string headerLine)
    {
        Assert.NotEmpty(name);
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            headerLine, "Content-Type: application/json", "Content-Length: " + EchoBody.Length.ToString(CultureInfo.InvariantCulture));

        var response = await RawAsync([.. head, .. Encoding.ASCII.GetBytes(EchoBody)]);

        ExpectRaw(response, 400, 401);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(2_000)]
    public async Task Execute_HeaderFlood_Is431(int count)
    {
        var lines = Enumerable.Range(0, count).Select(i => "X-Flood-" + i.ToString(CultureInfo.InvariantCulture) + ": v").Prepend("X-Phoenix-Api-Key: " + AdminKey).ToArray();

        var response = await RawAsync(RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1", lines));

        ExpectRaw(response, 400, 431);
    }

    [Theory]
    [InlineData("X-Filler")]
    [InlineData("X-Phoenix-Api-Key")]
    [InlineData("Authorization")]
    public async Task Execute_HeaderOver32KiB_Is431Or400(string header)
    {
        var value = (header == "Authorization" ? "Bearer " : string.Empty) + new string('a', 40 * 1024);

        var response = await RawAsync(RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1", header + ": " + value, "Content-Length: 0"));

        ExpectRaw(response, 400, 431);
    }

    [Fact]
    public async Task Execute_KeyHeaderJustUnderLimits_Is401()
    {
        var response = await RawAsync(RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            "X-Phoenix-Api-Key: phx_" + new string('a', 20 * 1024), "Content-Type: application/json", "Content-Length: 0"));

        Expect(response, 401);
    }

    [Fact]
    public async Task Execute_RequestLineOver8KiB_Is414Or400()
    {
        var response = await RawAsync(RawHttp.Head(Address, "GET /api/v1/audit?key=" + new string('k', 10 * 1024) + " HTTP/1.1", "X-Phoenix-Api-Key: " + AdminKey));

        ExpectRaw(response, 400, 414);
    }

    [Fact]
    public async Task Execute_AdminKeyHeaderTwice_Is401()
    {
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            "X-Phoenix-Api-Key: " + AdminKey, "X-Phoenix-Api-Key: " + AdminKey,
            "Content-Type: application/json", "Content-Length: " + EchoBody.Length.ToString(CultureInfo.InvariantCulture));

        Expect(await RawAsync([.. head, .. Encoding.ASCII.GetBytes(EchoBody)]), 401);
    }

    [Fact]
    public async Task Execute_VitalsKeyThenAdminKeyHeaders_Is401()
    {
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            "X-Phoenix-Api-Key: " + fixture.VitalsOnly.Secret, "X-Phoenix-Api-Key: " + AdminKey,
            "Content-Type: application/json", "Content-Length: " + EchoBody.Length.ToString(CultureInfo.InvariantCulture));

        Expect(await RawAsync([.. head, .. Encoding.ASCII.GetBytes(EchoBody)]), 401);
    }

    [Fact]
    public async Task Execute_KeysCommaJoinedInOneHeader_Is401()
    {
        var request = Request(HttpMethod.Post, Execute, fixture.VitalsOnly.Secret + ", " + AdminKey);
        request.Content = GatewayStackJson(EchoBody);

        Expect(await SendAsync(request), 401);
    }

    [Theory]
    [InlineData("bad-method-token", "G@T /health HTTP/1.1")]
    [InlineData("missing-version", "GET /health")]
    [InlineData("tab-separated", "GET\t/health\tHTTP/1.1")]
    [InlineData("nul-in-target", "GET /he\0alth HTTP/1.1")]
    [InlineData("space-in-target", "GET /api/v1/audit?key=a b HTTP/1.1")]
    public async Task AnyRoute_MalformedRequestLine_Is400(string name, string requestLine)
    {
        Assert.NotEmpty(name);

        ExpectRaw(await RawAsync(RawHttp.Head(Address, requestLine, "X-Phoenix-Api-Key: " + AdminKey)), 400, 404, 405);
    }

    [Fact]
    public async Task Health_LowercaseMethod_IsACustomMethodWithout5xx()
    {
        // Methods are case-sensitive (RFC 9110); routing matches them case-insensitively, so "get" is served as GET.
        ExpectRaw(await RawAsync(RawHttp.Head(Address, "get /health HTTP/1.1")), 200, 400, 405);
    }

    [Fact]
    public async Task Health_Http11WithoutHost_Is400()
    {
        ExpectRaw(await RawAsync(RawHttp.Bytes("GET /health HTTP/1.1\r\nX-A: 1\r\n\r\n")), 400);
    }

    [Fact]
    public async Task Health_TwoHostHeaders_Is400()
    {
        ExpectRaw(await RawAsync(RawHttp.Head(Address, "GET /health HTTP/1.1", "Host: evil.example")), 400);
    }

    [Theory]
    [InlineData("content-length-shorter-than-body", "Content-Length: 5")]
    [InlineData("content-length-negative", "Content-Length: -1")]
    [InlineData("content-length-not-a-number", "Content-Length: ten")]
    [InlineData("content-length-twice-different", "Content-Length: 31\r\nContent-Length: 5")]
    [InlineData("content-length-list", "Content-Length: 31, 31")]
    [InlineData("content-length-overflow", "Content-Length: 99999999999999999999999")]
    [InlineData("transfer-encoding-unknown", "Transfer-Encoding: gzip")]
    [InlineData("transfer-encoding-chunked-not-last", "Transfer-Encoding: chunked, identity")]
    public async Task Execute_BadFraming_IsRefusedWithout5xx(string name, string framing)
    {
        Assert.NotEmpty(name);
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1", "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json", framing);

        var response = await RawAsync([.. head, .. Encoding.ASCII.GetBytes(EchoBody)]);

        ExpectRaw(response, 400, 411, 413);
    }

    [Fact]
    public async Task Execute_ContentLengthAndChunked_IsRefusedOrReadAsChunked()
    {
        // Request smuggling shape: a front end reading Content-Length would see a different body than one reading chunks.
        var chunked = EchoBody.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n" + EchoBody + "\r\n0\r\n\r\n";
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1", "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json",
            "Content-Length: 4", "Transfer-Encoding: chunked");

        var response = await RawAsync([.. head, .. Encoding.ASCII.GetBytes(chunked)]);

        ExpectRaw(response, 200, 400);
    }

    [Theory]
    [InlineData("bad-chunk-size", "zz\r\nabc\r\n0\r\n\r\n")]
    [InlineData("huge-chunk-size", "FFFFFFFFFFFFFFFF\r\nabc\r\n0\r\n\r\n")]
    [InlineData("chunk-longer-than-size", "2\r\nabcdef\r\n0\r\n\r\n")]
    public async Task Execute_BadChunk_IsRefusedWithout5xx(string name, string body)
    {
        Assert.NotEmpty(name);
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1", "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json", "Transfer-Encoding: chunked");

        ExpectRaw(await RawAsync([.. head, .. Encoding.ASCII.GetBytes(body)]), 400, 413);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\nX-Injected: 1")]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    public async Task AnyError_HostileTraceparent_StillAnswersA32HexTraceId(string traceparent)
    {
        HostileResponse response;
        if (traceparent.Contains('\n', StringComparison.Ordinal))
        {
            response = await RawAsync(RawHttp.Head(Address, "GET /api/v1/nope HTTP/1.1", "X-Phoenix-Api-Key: " + AdminKey, "traceparent: " + traceparent));
        }
        else
        {
            var request = Request(HttpMethod.Get, "/api/v1/nope", AdminKey);
            request.Headers.TryAddWithoutValidation("traceparent", traceparent);
            request.Headers.TryAddWithoutValidation("tracestate", new string('x', 4_000));
            response = await SendAsync(request);
        }

        var problem = Expect(response, 404);
        Assert.NotEqual(new string('0', 32), problem!.Value.GetProperty("traceId").GetString());
    }

    private static StringContent GatewayStackJson(string json) => Support.GatewayStack.Json(json);
}
