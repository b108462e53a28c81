using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway.Forwarding;

/// <summary>One executor the gateway forwards to.</summary>
public sealed record ExecutorEndpointOptions
{
    /// <summary>Name used in results, health and vitals. Required.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string Name { get; init; } = string.Empty;

    /// <summary>gRPC address, e.g. <c>http://127.0.0.1:50061</c> (h2c) or <c>https://executor-0:50061</c>. Required.</summary>
    [Required]
    public string Address { get; init; } = string.Empty;
}
