using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Phoenix.Faults.Tests.Support;

/// <summary>The gateway's keys file: fresh keys and their entries, written atomically.</summary>
internal static class KeysFile
{
    /// <summary>A fresh random API key.</summary>
    public static string NewKey() =>
        "phx_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    /// <summary>One entry of the file (the key is stored as its SHA-256 hash only).</summary>
    public static object Entry(string id, string key, int rateLimitPerMinute, params string[] permissions) => new
    {
        id,
        name = id,
        hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))),
        permissions,
        rateLimitPerMinute,
    };

    /// <summary>Replaces <paramref name="path"/> atomically with a file of <paramref name="entries"/>.</summary>
    public static void Write(string path, params object[] entries) => AtomicFile.Write(path, JsonSerializer.Serialize(new { keys = entries }));
}
