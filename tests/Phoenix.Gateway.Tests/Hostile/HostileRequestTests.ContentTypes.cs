using System.IO.Compression;
using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>Wrong, missing and odd content types and encodings: 415 (or 400), never a run.</summary>
public sealed partial class HostileRequestTests
{
    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/json")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/xml")]
    [InlineData("application/octet-stream")]
    [InlineData("application/jsonx")]
    [InlineData("*/*")]
    [InlineData("")]
    [InlineData(null)]
    public async Task Execute_NotJsonContentType_Is415(string? contentType)
    {
        var body = contentType switch
        {
            "application/x-www-form-urlencoded" => "command=echo&args=x",
            "multipart/form-data; boundary=x" => "--x\r\nContent-Disposition: form-data; name=\"command\"\r\n\r\necho\r\n--x--\r\n",
            _ => EchoBody,
        };

        var response = await PostBytesAsync(Execute, Encoding.UTF8.GetBytes(body), contentType);

        Expect(response, 415);
    }

    [Fact]
    public async Task Execute_Utf16BodyDeclaredUtf16_IsRefused()
    {
        var response = await PostBytesAsync(Execute, Encoding.Unicode.GetBytes(EchoBody), "application/json; charset=utf-16");

        Expect(response, 400, 415);
    }

    [Fact]
    public async Task Execute_Utf8BodyDeclaredUtf16_CharsetIgnoredOrRefused()
    {
        // RFC 8259 defines no charset parameter for application/json ("no effect on compliant recipients"): running is fine.
        var response = await PostBytesAsync(Execute, Encoding.UTF8.GetBytes(EchoBody), "application/json; charset=utf-16");

        Expect(response, 200, 400, 415);
    }

    [Fact]
    public async Task Execute_GzipBodyWithContentEncoding_IsRefused()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(EchoBody));
        }

        var request = Request(HttpMethod.Post, Execute, AdminKey);
        request.Content = new ByteArrayContent(compressed.ToArray());
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");

        Expect(await SendAsync(request), 400, 415);
    }

    [Fact]
    public async Task Execute_ContentTypeWithCrlfAndHugeParameters_IsRefused()
    {
        var response = await PostBytesAsync(Execute, Encoding.UTF8.GetBytes(EchoBody), "application/json; " + string.Join("; ", Enumerable.Range(0, 500).Select(i => "p" + i + "=v")));

        Expect(response, 200, 400, 415);
    }
}
