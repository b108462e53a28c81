namespace Phoenix.Gateway.RateLimiting;

/// <summary>The answer of an <see cref="IRateLimitStore"/> for one request.</summary>
/// <param name="IsAllowed">Whether the request may proceed (it was counted).</param>
/// <param name="Limit">The limit applied, in requests per minute (<c>q</c>).</param>
/// <param name="Remaining">Requests left in the current window after this one (<c>r</c>), never negative.</param>
/// <param name="ResetAfter">Time until permits come back (<c>t</c>; <c>Retry-After</c> when not allowed).</param>
internal readonly record struct RateLimitDecision(bool IsAllowed, int Limit, int Remaining, TimeSpan ResetAfter);
