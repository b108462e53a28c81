using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// HTTP/1.1 over a bare <see cref="TcpClient"/>, for requests <see cref="HttpClient"/> refuses to send (CRLF in headers,
/// bad framing, header floods, unnormalized paths). The request is written while the response is read, so an early
/// answer (413 before the body) is seen even if the server stops reading. A response that does not come within the
/// bound fails the test as a hang.
/// </summary>
internal static class RawHttp
{
    /// <summary>Latin-1 bytes of <paramref name="text"/> (every char below 256 becomes that byte, as written).</summary>
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>A request head: request line, <c>Host</c>, the given header lines, and the blank line.</summary>
    public static byte[] Head(Uri address, string requestLine, params string[] headerLines)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = new StringBuilder().Append(requestLine).Append("\r\n").Append("Host: ").Append(address.Authority).Append("\r\n");
        foreach (var line in headerLines)
        {
            text.Append(line).Append("\r\n");
        }

        return Bytes(text.Append("\r\n").ToString());
    }

    public static Task<HostileResponse> SendAsync(Uri address, byte[] request, int timeoutSeconds = 30) =>
        SendAsync(address, request, body: null, timeoutSeconds);

    /// <summary>Sends <paramref name="request"/> then whatever <paramref name="body"/> writes, and reads the first final response.</summary>
    public static async Task<HostileResponse> SendAsync(Uri address, byte[] request, Func<Stream, CancellationToken, Task>? body, int timeoutSeconds = 30)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(request);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(address.Host, address.Port, timeout.Token);
        var stream = client.GetStream();
        var writer = WriteAsync(stream, request, body, timeout.Token);
        HostileResponse response;
        try
        {
            response = await ReadAsync(stream, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No response within {timeoutSeconds} s (hang).");
            throw;
        }
        finally
        {
            client.Close();
            try
            {
                await writer;
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server may stop reading once it has answered (413 before the body): expected.
            }
        }

        return response;
    }

    private static async Task WriteAsync(Stream stream, byte[] request, Func<Stream, CancellationToken, Task>? body, CancellationToken cancellationToken)
    {
        try
        {
            await stream.WriteAsync(request, cancellationToken);
            if (body is not null)
            {
                await body(stream, cancellationToken);
            }

            await stream.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The server closed the connection or the response is complete: the reader reports what matters.
        }
    }

    private static async Task<HostileResponse> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new RawResponseReader(stream);
        while (true)
        {
            var head = await reader.ReadHeadAsync(cancellationToken);
            if (head is null)
            {
                return new HostileResponse(0, [], string.Empty, Encoding.Latin1.GetString(reader.Consumed()));
            }

            var lines = head.Split("\r\n");
            var parts = lines[0].Split(' ', 3);
            var status = parts.Length >= 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1;
            Assert.True(status > 0, $"Unparsable status line: {lines[0]}");
            var headers = lines.Skip(1).Where(l => l.Length > 0)
                .Select(l => l.Split(':', 2))
                .Select(p => KeyValuePair.Create(p[0].Trim(), p.Length > 1 ? p[1].Trim() : string.Empty))
                .ToList();
            if (status is >= 100 and < 200)
            {
                continue;
            }

            byte[] body;
            var length = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
            var chunked = headers.Any(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase));
            if (chunked)
            {
                body = await reader.ReadChunkedAsync(cancellationToken);
            }
            else if (length is not null)
            {
                body = await reader.ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), cancellationToken);
            }
            else if (status is 204 or 304)
            {
                body = [];
            }
            else
            {
                body = await reader.ReadToEndAsync(cancellationToken);
            }

            var text = Encoding.UTF8.GetString(body);
            return new HostileResponse(status, headers, text, head + "\r\n\r\n" + text);
        }
    }
}
