using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway.Forwarding;

/// <summary>Executors found by resolving a DNS name: every address it resolves to is one executor.</summary>
public sealed record ExecutorDnsOptions
{
    /// <summary>The name to resolve, e.g. <c>phoenix-executor-headless.phoenix.svc.cluster.local</c>. Required.</summary>
    [Required]
    public string Name { get; init; } = string.Empty;

    /// <summary>The executors' gRPC port. Default 50061.</summary>
    [Range(1, 65_535)]
    public int Port { get; init; } = 50_061;

    /// <summary><c>http</c> (h2c) or <c>https</c>. Default <c>http</c>.</summary>
    [RegularExpression("^https?$")]
    public string Scheme { get; init; } = "http";

    /// <summary>How often the name is resolved again. Default 15 s; 1 s..1 h.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(15);
}
