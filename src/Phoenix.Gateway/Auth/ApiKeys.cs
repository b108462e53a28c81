using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Phoenix.Gateway.Auth;

/// <summary>Makes API keys and their stored hashes. Keys are <c>phx_</c> + 43 base64url characters (32 random bytes).</summary>
internal static class ApiKeys
{
    /// <summary>The prefix of every generated key (lets secret scanners recognize a leaked key).</summary>
    public const string Prefix = "phx_";

    /// <summary>The prefix of a stored hash.</summary>
    public const string HashPrefix = "sha256:";

    /// <summary>The longest header value considered a key at all; anything longer fails without being hashed.</summary>
    public const int MaxKeyLength = 256;

    /// <summary>A new random key (<see cref="Prefix"/> + base64url of 32 bytes from the OS CSPRNG).</summary>
    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The value stored in the keys file for <paramref name="key"/>: <c>sha256:</c> + 64 lowercase hex digits.</summary>
    /// <param name="key">The key.</param>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return HashPrefix + Convert.ToHexStringLower(HashBytes(key));
    }

    /// <summary>SHA-256 over the UTF-8 bytes of <paramref name="key"/>.</summary>
    internal static byte[] HashBytes(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Whether <paramref name="hash"/> has the stored form <c>sha256:</c> + 64 hex digits.</summary>
    internal static bool IsValidHash(string? hash) =>
        hash is { Length: 71 }
        && hash.StartsWith(HashPrefix, StringComparison.Ordinal)
        && hash.AsSpan(HashPrefix.Length).ContainsAnyExcept("0123456789abcdefABCDEF") is false;

    /// <summary>The 32 bytes of a stored hash (which must satisfy <see cref="IsValidHash"/>).</summary>
    internal static byte[] DecodeHash(string hash) => Convert.FromHexString(hash.AsSpan(HashPrefix.Length));
}
