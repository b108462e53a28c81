using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>One entry of a test keys file, with the secret the test presents.</summary>
internal sealed record HostileKey(
    string Id,
    string Secret,
    string[] Permissions,
    bool Disabled = false,
    DateTimeOffset? ExpiresAt = null,
    int RateLimitPerMinute = 100_000)
{
    public static readonly string[] All = ["execute", "vitals", "audit", "admin"];

    /// <summary>A fresh key with a new random secret.</summary>
    public static HostileKey New(string id, params string[] permissions) => new(id, ApiKeys.Generate(), permissions);

    /// <summary>The stored hash (<c>sha256:</c> + 64 hex).</summary>
    public string Hash => ApiKeys.Hash(Secret);

    /// <summary>The strings no response may contain: the secret, its stored hash and the bare hex digest.</summary>
    public IEnumerable<string> Secrets => [Secret, Hash, Hash["sha256:".Length..]];
}
