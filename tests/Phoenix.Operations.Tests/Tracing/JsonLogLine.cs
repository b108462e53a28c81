using System.Text.Json;

namespace Phoenix.Operations.Tests.Tracing;

/// <summary>One line of a service's JSON console log, with the ids its scopes carry.</summary>
public sealed record JsonLogLine(string Category, int EventId, string Message, string? TraceId, string? SpanId, string? RequestId, string? RequestPath)
{
    /// <summary>The JSON log lines among <paramref name="lines"/> (other output is skipped).</summary>
    public static IReadOnlyList<JsonLogLine> Parse(IEnumerable<string> lines)
    {
        var parsed = new List<JsonLogLine>();
        foreach (var line in lines)
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            string? traceId = null, spanId = null, requestId = null, requestPath = null;
            if (root.TryGetProperty("Scopes", out var scopes))
            {
                foreach (var scope in scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object))
                {
                    traceId ??= Text(scope, "TraceId");
                    spanId ??= Text(scope, "SpanId");
                    requestId ??= Text(scope, "RequestId");
                    requestPath ??= Text(scope, "RequestPath");
                }
            }

            parsed.Add(new JsonLogLine(
                Text(root, "Category") ?? string.Empty,
                root.TryGetProperty("EventId", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt32() : 0,
                Text(root, "Message") ?? string.Empty,
                traceId,
                spanId,
                requestId,
                requestPath));
        }

        return parsed;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
