using System.Text.Json;

namespace Phoenix.Faults.Tests.Support;

/// <summary>The gateway's <c>GET /health</c>: overall status and each dependency's status and detail.</summary>
internal sealed record GatewayHealth(string Status, IReadOnlyDictionary<string, (string Status, string? Detail)> Dependencies)
{
    public static async Task<GatewayHealth> ReadAsync(Uri gateway)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri(gateway, "health"));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var dependencies = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        foreach (var dependency in json.RootElement.GetProperty("dependencies").EnumerateArray())
        {
            dependencies[dependency.GetProperty("name").GetString()!] = (
                dependency.GetProperty("status").GetString()!,
                dependency.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String ? detail.GetString() : null);
        }

        return new GatewayHealth(json.RootElement.GetProperty("status").GetString()!, dependencies);
    }

    /// <summary>The executor's circuit as health reports it (<c>closed</c>, <c>open</c>, <c>halfopen</c>, …).</summary>
    public string? Circuit(string executor) =>
        Dependencies.TryGetValue("executor:" + executor, out var d) && d.Detail is { } detail && detail.StartsWith("circuit ", StringComparison.Ordinal)
            ? detail["circuit ".Length..].Split(',')[0]
            : null;

    /// <summary>Runs the gateway has in flight on the executor, as health reports it.</summary>
    public int? InFlight(string executor)
    {
        if (!Dependencies.TryGetValue("executor:" + executor, out var d) || d.Detail is not { } detail)
        {
            return null;
        }

        var part = detail.Split(',').Select(p => p.Trim()).FirstOrDefault(p => p.EndsWith(" in flight", StringComparison.Ordinal));
        return part is not null && int.TryParse(part[..^" in flight".Length], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
    }
}
