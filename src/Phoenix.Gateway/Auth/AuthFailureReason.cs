namespace Phoenix.Gateway.Auth;

/// <summary>Why authentication failed, as far as a caller may be told.</summary>
internal enum AuthFailureReason
{
    /// <summary>No credentials were sent.</summary>
    Missing,

    /// <summary>The credentials are malformed, unknown, or a token that does not validate.</summary>
    Invalid,

    /// <summary>The key (or the key a token was issued for) is expired or disabled, or the token expired.</summary>
    ExpiredOrDisabled,
}
