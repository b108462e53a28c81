using System.Globalization;
using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>Huge strings, huge collections, deep nesting and oversize bodies (with and without Content-Length, chunked).</summary>
public sealed partial class HostileRequestTests
{
    private const int MiB = 1024 * 1024;

    // name → (body factory, field that must be named; null: 400 is enough). Answers must not echo the input.
    private static readonly Dictionary<string, (Func<string> Body, string? Field)> HugeStrings = new(StringComparer.Ordinal)
    {
        ["command-1mb"] = (() => $$"""{"command":"{{new string('a', MiB)}}"}""", "command"),
        ["args-300"] = (() => $$"""{"command":"echo","args":[{{string.Join(",", Enumerable.Repeat("\"x\"", 300))}}]}""", "args"),
        ["arg-200kb"] = (() => $$"""{"command":"echo","args":["{{new string('a', 200 * 1024)}}"]}""", "args[0]"),
        ["stdin-over-1mib"] = (() => $$"""{"command":"cat","stdin":"{{new string('a', MiB + 1)}}"}""", "stdin"),
        ["env-100-names"] = (() => "{\"command\":\"echo\",\"env\":{" + string.Join(",", Enumerable.Range(0, 100).Select(i => $"\"V{i}\":\"x\"")) + "}}", "env"),
        ["env-name-200"] = (() => $$$"""{"command":"echo","env":{"{{{new string('A', 200)}}}":"x"}}""", null),
        ["env-value-40kb"] = (() => $$$"""{"command":"echo","env":{"A":"{{{new string('v', 40 * 1024)}}}"}}""", "env.A"),
        ["files-65"] = (() => "{\"command\":\"echo\",\"files\":[" + string.Join(",", Enumerable.Range(0, 65).Select(i => "{\"path\":\"f" + i.ToString(CultureInfo.InvariantCulture) + "\",\"content\":\"x\"}")) + "]}", "files"),
        ["file-path-300"] = (() => $$"""{"command":"echo","files":[{"path":"{{new string('p', 300)}}","content":"x"}]}""", "files[0].path"),
        ["workingDirectory-300"] = (() => $$"""{"command":"echo","workingDirectory":"{{new string('d', 300)}}"}""", "workingDirectory"),
        ["property-name-1mb"] = (() => $$"""{"command":"echo","{{new string('k', MiB)}}":1}""", null),
    };

    // name → body; nesting far beyond the parser's cap must be refused, not overflow the stack.
    private static readonly Dictionary<string, Func<string>> DeepNesting = new(StringComparer.Ordinal)
    {
        ["objects-100000-top-level"] = () => Repeat("{\"a\":", 100_000) + "1" + new string('}', 100_000),
        ["arrays-100000-top-level"] = () => new string('[', 100_000) + new string(']', 100_000),
        ["arrays-100000-in-args"] = () => "{\"command\":\"echo\",\"args\":" + new string('[', 100_000) + new string(']', 100_000) + "}",
        ["objects-100000-in-env"] = () => "{\"command\":\"echo\",\"env\":" + Repeat("{\"A\":", 100_000) + "\"x\"" + new string('}', 100_000) + "}",
        ["objects-100000-in-limits"] = () => "{\"command\":\"echo\",\"limits\":" + Repeat("{\"timeoutMs\":", 100_000) + "1" + new string('}', 100_000) + "}",
        ["mixed-100000"] = () => Repeat("[{\"a\":", 50_000) + "1" + Repeat("}]", 50_000),
        ["arrays-100000-unclosed"] = () => "{\"command\":\"echo\",\"args\":" + new string('[', 100_000),
        ["depth-17"] = () => "{\"command\":\"echo\",\"args\":" + new string('[', 16) + new string(']', 16) + "}",
    };

    public static TheoryData<string> HugeStringCases => Names(HugeStrings);

    public static TheoryData<string> DeepNestingCases => Names(DeepNesting);

    private static string Repeat(string value, int count) => new StringBuilder(value.Length * count).Insert(0, value, count).ToString();

    [Theory]
    [MemberData(nameof(HugeStringCases))]
    public async Task Execute_HugeInput_Is400WithoutEchoingIt(string name)
    {
        var (body, field) = HugeStrings[name];

        var response = await PostJsonAsync(Execute, body());

        var problem = Expect(response, 400);
        if (field is not null)
        {
            HostileAssert.HasFieldError(problem, field, response);
        }

        Assert.True(response.Body.Length < 16 * 1024, $"The answer echoes the input ({response.Body.Length} chars).");
    }

    [Fact]
    public async Task Execute_256Args_AtTheLimit_Runs()
    {
        var response = await PostJsonAsync(Execute, $$"""{"command":"echo","args":[{{string.Join(",", Enumerable.Repeat("\"x\"", 256))}}]}""");

        Expect(response, 200);
    }

    [Theory]
    [MemberData(nameof(DeepNestingCases))]
    public async Task Execute_DeepNesting_Is400(string name)
    {
        var response = await PostJsonAsync(Execute, DeepNesting[name]());

        var problem = Expect(response, 400);
        HostileAssert.HasFieldError(problem, "body", response);
    }

    [Fact]
    public async Task Execute_11MiBWithContentLength_Is413BeforeTheBodyIsRead()
    {
        var body = Filler(11 * MiB);
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json", "Content-Length: " + body.Length.ToString(CultureInfo.InvariantCulture));

        var response = await RawAsync(head, (stream, ct) => stream.WriteAsync(body, ct).AsTask());

        Expect(response, 413);
    }

    [Fact]
    public async Task Execute_11MiBChunked_Is413()
    {
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json", "Transfer-Encoding: chunked");

        var response = await RawAsync(head, async (stream, ct) =>
        {
            var chunk = Filler(64 * 1024);
            var prefix = RawHttp.Bytes(chunk.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
            for (var sent = 0; sent < 11 * MiB; sent += chunk.Length)
            {
                await stream.WriteAsync(prefix, ct);
                await stream.WriteAsync(chunk, ct);
                await stream.WriteAsync("\r\n"u8.ToArray(), ct);
            }

            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), ct);
        });

        Expect(response, 413);
    }

    [Theory]
    [InlineData(11 * MiB)]
    [InlineData((10 * MiB) + 1)]
    public async Task Execute_ContentLengthOverLimitWithoutBody_Is413WithoutWaiting(int length)
    {
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json", "Content-Length: " + length.ToString(CultureInfo.InvariantCulture));

        Expect(await RawAsync(head), 413);
    }

    [Fact]
    public async Task Execute_11MiBWithExpectContinue_Is413WithoutContinue()
    {
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1",
            "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json", "Expect: 100-continue",
            "Content-Length: " + (11 * MiB).ToString(CultureInfo.InvariantCulture));

        var response = await RawAsync(head);

        Expect(response, 413);
        Assert.DoesNotContain("100 Continue", response.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_11MiBWithoutContentLengthOrChunked_IsRefused()
    {
        // HTTP/1.1 without Content-Length or Transfer-Encoding: the body is empty, and what follows is not a request.
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.1", "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json");
        var body = Filler(11 * MiB);

        var response = await RawAsync(head, (stream, ct) => stream.WriteAsync(body, ct).AsTask());

        ExpectRaw(response, 400, 411, 413);
    }

    [Fact]
    public async Task Execute_Http10BodyUntilClose_IsRefused()
    {
        var head = RawHttp.Head(Address, "POST /api/v1/execute HTTP/1.0", "X-Phoenix-Api-Key: " + AdminKey, "Content-Type: application/json", "Connection: close");
        var body = Filler(11 * MiB);

        var response = await RawAsync(head, (stream, ct) => stream.WriteAsync(body, ct).AsTask());

        ExpectRaw(response, 400, 411, 413);
    }

    private static byte[] Filler(int length)
    {
        var body = new byte[length];
        Array.Fill(body, (byte)'a');
        "{\"command\":\"echo\",\"stdin\":\""u8.CopyTo(body);
        return body;
    }
}
