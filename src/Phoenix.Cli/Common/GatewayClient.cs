using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Phoenix.Cli.Common;

/// <summary>
/// HTTP calls to the gateway with the caller's API key. Any answer that is not a success becomes a
/// <see cref="CliException"/> carrying the problem's title, detail and field errors, and an exit code.
/// </summary>
internal sealed class GatewayClient : IDisposable
{
    public const string ApiKeyHeader = "X-Phoenix-Api-Key";

    private readonly HttpClient _http;

    public GatewayClient(CliSettings settings, HttpMessageHandler? handler = null)
    {
        Settings = settings;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = settings.GatewayUrl,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public CliSettings Settings { get; }

    /// <summary>Sends <paramref name="request"/> with the API key; returns the response once its headers arrived and it is a success.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = Settings.ApiKey() ?? throw new CliException(
            $"No API key: set PHOENIX_API_KEY, or start Phoenix with 'phoenix up', which writes one to {Settings.DevKeyFile}.", ExitCodes.Usage);
        if (key.Any(char.IsControl))
        {
            throw new CliException("The API key contains control characters.", ExitCodes.Usage);
        }

        request.Headers.TryAddWithoutValidation(ApiKeyHeader, key);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CliException($"Cannot reach the gateway at {Settings.GatewayUrl} ({e.Message.TrimEnd('.')}). Is it running? Start it with 'phoenix up', or set PHOENIX_URL.");
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"The call to {Settings.GatewayUrl} failed: {e.Message}");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ToExceptionAsync(response, cancellationToken);
        }
    }

    public async Task<JsonDocument> GetJsonAsync(string relativeUrl, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, relativeUrl), cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
    }

    /// <summary>A problem+json answer as one readable message, with the exit code the CLI uses for it.</summary>
    internal static async Task<CliException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var text = new StringBuilder().Append(status).Append(' ');
        try
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            var title = root.TryGetProperty("title", out var t) ? t.GetString() ?? string.Empty : response.ReasonPhrase ?? string.Empty;
            text.Append(title);
            if (root.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } d)
            {
                text.Append(title.EndsWith('.') ? " " : ": ").Append(d);
            }

            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in errors.EnumerateObject())
                {
                    var messages = field.Value.ValueKind == JsonValueKind.Array
                        ? string.Join(" ", field.Value.EnumerateArray().Select(m => m.ToString()))
                        : field.Value.ToString();
                    text.Append("\n  ").Append(field.Name).Append(": ").Append(messages);
                }
            }
        }
        catch (JsonException)
        {
            text.Append(response.ReasonPhrase);
        }

        if (response.Headers.RetryAfter?.Delta is { } retry)
        {
            text.Append($" (retry after {retry.TotalSeconds:0} s)");
        }

        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            text.Append("\n  Check PHOENIX_API_KEY (or the key in the data directory's dev-api-key).");
        }

        var exitCode = response.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity => ExitCodes.Usage,
            HttpStatusCode.Forbidden => ExitCodes.NotAllowed,
            _ => ExitCodes.PhoenixError,
        };
        return new CliException(text.ToString(), exitCode);
    }

    public void Dispose() => _http.Dispose();
}
