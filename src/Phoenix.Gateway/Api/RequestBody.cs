using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Phoenix.Resilience.Errors;

namespace Phoenix.Gateway.Api;

/// <summary>Reads a JSON request body within the size limit, answering 415 and 413 as problems.</summary>
internal static class RequestBody
{
    public static async Task<(ReadOnlyMemory<byte> Body, PhoenixError? Error)> ReadJsonAsync(HttpContext context, long maxBytes)
    {
        if (!context.Request.HasJsonContentType())
        {
            return (default, PhoenixError.Create(ErrorKind.UnsupportedMediaType, "request.content_type", "The body must be JSON (Content-Type: application/json)."));
        }

        if (context.Request.ContentLength > maxBytes)
        {
            return (default, TooLarge(maxBytes));
        }

        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = maxBytes;
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            var rented = ArrayPool<byte>.Shared.Rent(16 * 1024);
            try
            {
                int read;
                while ((read = await context.Request.Body.ReadAsync(rented, context.RequestAborted)) > 0)
                {
                    if (buffer.WrittenCount + read > maxBytes)
                    {
                        return (default, TooLarge(maxBytes));
                    }

                    buffer.Write(rented.AsSpan(0, read));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (default, TooLarge(maxBytes));
        }
        catch (Exception ex) when (ex is BadHttpRequestException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            // Bad framing (a chunk size that does not parse, a truncated chunk) surfaces as IOException from Kestrel.
            return (default, PhoenixError.Create(ErrorKind.Validation, "request.body_unreadable", "The request body could not be read."));
        }

        return (buffer.WrittenMemory, null);
    }

    private static PhoenixError TooLarge(long maxBytes) =>
        PhoenixError.Create(ErrorKind.PayloadTooLarge, "request.too_large", $"The body must be at most {maxBytes} bytes.");
}
