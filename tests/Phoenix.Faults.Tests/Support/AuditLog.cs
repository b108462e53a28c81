using System.Text.Json;

namespace Phoenix.Faults.Tests.Support;

/// <summary>Reads the whole audit trail through <c>GET /api/v1/audit</c>, page by page (500 a page, cursor <c>next</c>).</summary>
internal static class AuditLog
{
    public static async Task<IReadOnlyList<AuditEntry>> ReadAllAsync(Uri gateway, string adminKey)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Phoenix-Api-Key", adminKey);
        var entries = new List<AuditEntry>();
        string? cursor = null;
        do
        {
            var page = await http.GetStringAsync("api/v1/audit?limit=500" + (cursor is null ? string.Empty : "&before=" + Uri.EscapeDataString(cursor)));
            using var json = JsonDocument.Parse(page);
            foreach (var record in json.RootElement.GetProperty("records").EnumerateArray())
            {
                entries.Add(new AuditEntry(
                    record.GetProperty("runId").GetString()!,
                    record.GetProperty("status").GetString()!,
                    record.TryGetProperty("executor", out var executor) && executor.ValueKind == JsonValueKind.String ? executor.GetString() : null,
                    record.GetProperty("traceId").GetString()!,
                    record.GetProperty("keyId").GetString()!));
            }

            cursor = json.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        return entries;
    }
}
