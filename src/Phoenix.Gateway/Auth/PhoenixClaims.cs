namespace Phoenix.Gateway.Auth;

/// <summary>The claims every authenticated Phoenix caller carries, whether it came with an API key or a JWT.</summary>
internal static class PhoenixClaims
{
    /// <summary>The caller's key id (never the key). One per principal.</summary>
    public const string KeyId = "phoenix:key_id";

    /// <summary>A permission (<see cref="Permissions"/>); one claim per permission.</summary>
    public const string Permission = "phoenix:permission";

    /// <summary>The key's own rate limit in requests per minute, when it has one.</summary>
    public const string RateLimit = "phoenix:rate_limit";

    /// <summary>The authentication scheme that selects API key or bearer per request.</summary>
    public const string Scheme = "Phoenix";
}
