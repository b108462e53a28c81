using System.Text;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>One HTTP response as the client saw it, from <see cref="HttpClient"/> or from a raw socket.</summary>
/// <param name="Status">The status code; 0 when the server closed the connection without answering.</param>
/// <param name="Headers">Every response header (content headers included), in order, as sent.</param>
/// <param name="Body">The body, decoded as UTF-8.</param>
/// <param name="Raw">For raw-socket responses, everything the server sent (status line and headers included).</param>
internal sealed record HostileResponse(int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body, string? Raw = null)
{
    /// <summary>The media type of <c>Content-Type</c>, without parameters.</summary>
    public string? MediaType => Header("Content-Type") is { } value ? value.Split(';')[0].Trim().ToLowerInvariant() : null;

    /// <summary>The first value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Whether the response has a header named <paramref name="name"/> (case-insensitive).</summary>
    public bool HasHeader(string name) => Headers.Any(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));

    public static async Task<HostileResponse> FromAsync(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            headers.AddRange(values.Select(v => KeyValuePair.Create(name, v)));
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            headers.AddRange(values.Select(v => KeyValuePair.Create(name, v)));
        }

        var body = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());
        return new HostileResponse((int)response.StatusCode, headers, body);
    }

    public override string ToString()
    {
        var text = Raw ?? $"{Status}\n{string.Join("\n", Headers.Select(h => h.Key + ": " + h.Value))}\n\n{Body}";
        return text.Length > 2_000 ? text[..2_000] + "…" : text;
    }
}
