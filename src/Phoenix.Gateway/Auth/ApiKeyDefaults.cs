namespace Phoenix.Gateway.Auth;

/// <summary>Names of the API-key scheme.</summary>
internal static class ApiKeyDefaults
{
    /// <summary>The authentication scheme of <see cref="ApiKeyAuthenticationHandler"/>.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>The only place a key is read from (never the query string: URLs end up in logs).</summary>
    public const string HeaderName = "X-Phoenix-Api-Key";
}
