using System.Net;
using System.Text.Json;

namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>What <c>POST /api/v1/execute</c> answered: status code, content type, Retry-After and the JSON body.</summary>
public sealed record RunResponse(HttpStatusCode Code, string? ContentType, TimeSpan? RetryAfter, JsonElement Body, string Text)
{
    /// <summary>The run's <c>status</c> (200 only).</summary>
    public string? Status => Code == HttpStatusCode.OK ? Body.GetProperty("status").GetString() : null;

    /// <summary>The executor that ran it (200 only).</summary>
    public string? Executor => Code == HttpStatusCode.OK ? Body.GetProperty("executor").GetString() : null;

    public bool IsProblem => ContentType == "application/problem+json";

    public static async Task<RunResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return new RunResponse(
            response.StatusCode,
            response.Content.Headers.ContentType?.MediaType,
            response.Headers.RetryAfter?.Delta,
            document.RootElement.Clone(),
            text);
    }

    public override string ToString() => $"{(int)Code} {Text}";
}
