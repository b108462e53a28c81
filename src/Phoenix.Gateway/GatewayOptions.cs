using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway;

/// <summary>The gateway (<c>Phoenix:Gateway</c>). Read at start.</summary>
public sealed record GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Gateway";

    /// <summary>Public address. Default <c>http://127.0.0.1:8000</c>; https needs <see cref="TlsCertificatePath"/>.</summary>
    [Required]
    public string Listen { get; init; } = "http://127.0.0.1:8000";

    /// <summary>PEM certificate for an https <see cref="Listen"/> address.</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>Where the audit database and keys file live. Default <c>PHOENIX_DATA_DIR</c>, else <c>./.phoenix</c>.</summary>
    public string? DataDir { get; init; }

    /// <summary>Largest request body. Default 10 MiB; 1 KiB..256 MiB.</summary>
    [Range(1_024, 268_435_456)]
    public long MaxRequestBodyBytes { get; init; } = 10 * 1_048_576;

    /// <summary>Origins allowed by CORS; none by default.</summary>
    public string[]? CorsOrigins { get; init; }

    /// <summary>Simultaneous client connections. Default 1 000.</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrentConnections { get; init; } = 1_000;

    /// <summary>The data directory in force.</summary>
    internal string DataDirOrDefault(string? environment) =>
        Path.GetFullPath(DataDir ?? (string.IsNullOrEmpty(environment) ? ".phoenix" : environment));
}
