using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Throttling of failed authentication per client address (<c>Phoenix:Gateway:Auth</c>): after
/// <see cref="FailureLimit"/> failures within <see cref="FailureWindow"/>, the address gets 429 on every endpoint that
/// needs authentication until the window ends.
/// </summary>
internal sealed class AuthFailureThrottleOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Phoenix:Gateway:Auth";

    /// <summary>Failures allowed per address and window. Default 10.</summary>
    [Range(1, 1_000_000)]
    public int FailureLimit { get; set; } = 10;

    /// <summary>The window. Default 1 minute; 1 second to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(1);
}
