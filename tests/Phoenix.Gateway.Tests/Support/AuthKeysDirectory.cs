using System.Text.Json;
using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Tests.Support;

/// <summary>A keys file in a fresh directory under /var/lib/phoenix-tests (or the temp dir), deleted with the test.</summary>
internal sealed class AuthKeysDirectory : IDisposable
{
    private const string PreferredRoot = "/var/lib/phoenix-tests";

    public AuthKeysDirectory()
    {
        var root = CanWrite(PreferredRoot) ? PreferredRoot : Path.GetTempPath();
        DirectoryPath = Path.Combine(root, "auth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DirectoryPath);
        FilePath = Path.Combine(DirectoryPath, "keys.json");
    }

    public string DirectoryPath { get; }

    public string FilePath { get; }

    /// <summary>A key entry for <paramref name="key"/>.</summary>
    public static ApiKeyEntry Entry(string id, string key, params string[] permissions) =>
        new() { Id = id, Name = id, Hash = ApiKeys.Hash(key), Permissions = permissions };

    /// <summary>Writes the file atomically (temp file, then rename over the old one).</summary>
    public void Write(params ApiKeyEntry[] keys) =>
        WriteRaw(JsonSerializer.Serialize(new ApiKeysFile { Keys = keys }, ApiKeysJsonContext.Default.ApiKeysFile));

    /// <summary>Writes <paramref name="json"/> atomically.</summary>
    public void WriteRaw(string json)
    {
        var temp = Path.Combine(DirectoryPath, $".keys-{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, json);
        File.Move(temp, FilePath, overwrite: true);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(DirectoryPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool CanWrite(string directory)
    {
        try
        {
            if (!Directory.Exists(directory))
            {
                return false;
            }

            var probe = Path.Combine(directory, ".probe-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
