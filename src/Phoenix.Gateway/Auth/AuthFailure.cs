
namespace Phoenix.Gateway.Auth;

/// <summary>
/// An authentication failure of the current request, recorded by the scheme handler that saw it and read by the
/// challenge (for the public answer) and the authorization result handler (for the security event).
/// </summary>
/// <param name="Reason">What the caller is told.</param>
/// <param name="KeyId">The key id involved, when known (logged, never answered).</param>
/// <param name="LogDetail">A precise reason for the security log (never the key, never answered).</param>
/// <param name="BearerToken">Whether a bearer token was presented (adds <c>error="invalid_token"</c> to the challenge).</param>
internal sealed record AuthFailure(AuthFailureReason Reason, string? KeyId, string LogDetail, bool BearerToken)
{
    private static readonly object ItemKey = new();

    /// <summary>The failure recorded for <paramref name="context"/>, if any.</summary>
    public static AuthFailure? Get(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) ? value as AuthFailure : null;

    /// <summary>Records this failure for <paramref name="context"/> (the last one recorded wins).</summary>
    public void Set(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>The text for the security log: the public reason and the detail.</summary>
    public string LogReason => $"{PublicReason(Reason)} ({LogDetail})";

    /// <summary>The words a caller may see for <paramref name="reason"/>.</summary>
    public static string PublicReason(AuthFailureReason reason) => reason switch
    {
        AuthFailureReason.Missing => "missing",
        AuthFailureReason.ExpiredOrDisabled => "expired or disabled",
        _ => "invalid",
    };
}
