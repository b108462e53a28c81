namespace Phoenix.Gateway.Auth;

/// <summary>One API key in the keys file. The key itself is never stored, only its <see cref="Hash"/>.</summary>
internal sealed record ApiKeyEntry
{
    /// <summary>Stable, public id of the key (<c>^[A-Za-z0-9._-]{1,64}$</c>), unique in the file. Logged and audited.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>Human-readable name (owner, purpose).</summary>
    public string? Name { get; init; }

    /// <summary><c>sha256:</c> followed by the 64 hex digits of SHA-256 over the key's UTF-8 bytes (see <see cref="ApiKeys.Hash"/>).</summary>
    public string Hash { get; init; } = string.Empty;

    /// <summary>What the key may do (<see cref="Permissions"/>).</summary>
    public IReadOnlyList<string> Permissions { get; init; } = [];

    /// <summary>The key's own rate limit in requests per minute (1..1,000,000); <see langword="null"/> for the default.</summary>
    public int? RateLimitPerMinute { get; init; }

    /// <summary>A disabled key fails authentication, and so do the tokens issued for it.</summary>
    public bool Disabled { get; init; }

    /// <summary>When set, the key (and its tokens) fail authentication from this instant on.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Whether the key may be used at <paramref name="now"/>: not disabled and not expired.</summary>
    public bool IsActive(DateTimeOffset now) => !Disabled && (ExpiresAt is not { } expires || expires > now);
}
