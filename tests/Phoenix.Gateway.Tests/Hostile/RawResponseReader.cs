using System.Globalization;
using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>A buffered reader over the bytes of raw HTTP responses (see <see cref="RawHttp"/>).</summary>
internal sealed class RawResponseReader(Stream stream)
{
    private readonly List<byte> _buffer = [];
    private readonly List<byte> _all = [];
    private bool _eof;

    public byte[] Consumed() => [.. _all];

    public async Task<string?> ReadHeadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = IndexOf("\r\n\r\n"u8.ToArray());
            if (end >= 0)
            {
                var head = Encoding.Latin1.GetString(Take(end + 4), 0, end);
                return head;
            }

            if (!await FillAsync(cancellationToken))
            {
                return null;
            }
        }
    }

    public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        while (_buffer.Count < count)
        {
            Assert.True(await FillAsync(cancellationToken), $"Connection closed after {_buffer.Count} of {count} body bytes.");
        }

        return Take(count);
    }

    public async Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken)
    {
        while (await FillAsync(cancellationToken))
        {
        }

        return Take(_buffer.Count);
    }

    public async Task<byte[]> ReadChunkedAsync(CancellationToken cancellationToken)
    {
        var body = new List<byte>();
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            var size = int.Parse(line.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                // Trailers, then the blank line.
                while ((await ReadLineAsync(cancellationToken)).Length > 0)
                {
                }

                return [.. body];
            }

            body.AddRange(await ReadExactlyAsync(size, cancellationToken));
            await ReadLineAsync(cancellationToken);
        }
    }

    private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var end = IndexOf("\r\n"u8.ToArray());
            if (end >= 0)
            {
                var line = Take(end + 2);
                return Encoding.Latin1.GetString(line, 0, end);
            }

            Assert.True(await FillAsync(cancellationToken), "Connection closed inside a chunked body.");
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return false;
        }

        var chunk = new byte[16 * 1024];
        int read;
        try
        {
            read = await stream.ReadAsync(chunk, cancellationToken);
        }
        catch (IOException)
        {
            read = 0;
        }

        if (read == 0)
        {
            _eof = true;
            return false;
        }

        _buffer.AddRange(chunk.AsSpan(0, read));
        _all.AddRange(chunk.AsSpan(0, read));
        return true;
    }

    private int IndexOf(byte[] pattern)
    {
        for (var i = 0; i <= _buffer.Count - pattern.Length; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = _buffer[i + j] == pattern[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }

    private byte[] Take(int count)
    {
        var taken = _buffer.GetRange(0, count).ToArray();
        _buffer.RemoveRange(0, count);
        return taken;
    }
}
