using System.Text.Json;
using System.Text.Json.Nodes;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>Replaces a keys file the way an operator should: write a temporary file next to it, then rename over it.</summary>
internal static class KeysFileEditor
{
    public static Task WriteAsync(string path, IEnumerable<HostileKey> keys) => WriteRawAsync(path, Json(keys));

    /// <summary>Replaces the file with <paramref name="content"/> as given (valid or not).</summary>
    public static async Task WriteRawAsync(string path, string content)
    {
        var temporary = Path.Join(Path.GetDirectoryName(path), "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        await File.WriteAllTextAsync(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }

    public static string Json(IEnumerable<HostileKey> keys)
    {
        var array = new JsonArray();
        foreach (var key in keys)
        {
            var entry = new JsonObject
            {
                ["id"] = key.Id,
                ["name"] = "hostile test " + key.Id,
                ["hash"] = key.Hash,
                ["permissions"] = new JsonArray(key.Permissions.Select(p => (JsonNode)JsonValue.Create(p)).ToArray()),
                ["rateLimitPerMinute"] = key.RateLimitPerMinute,
                ["disabled"] = key.Disabled,
            };
            if (key.ExpiresAt is { } expires)
            {
                entry["expiresAt"] = expires.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            }

            array.Add(entry);
        }

        return new JsonObject { ["keys"] = array }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
