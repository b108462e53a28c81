using System.ComponentModel.DataAnnotations;

namespace Phoenix.Executor.Runs;

/// <summary>Server certificate and, optionally, the CA that client certificates must chain to (mTLS).</summary>
public sealed record TlsOptions
{
    /// <summary>PEM certificate file of the server.</summary>
    [Required]
    public string CertificatePath { get; init; } = string.Empty;

    /// <summary>PEM private key file of the server.</summary>
    [Required]
    public string KeyPath { get; init; } = string.Empty;

    /// <summary>PEM CA certificate; when set, every client must present a certificate issued by it.</summary>
    public string? ClientCaPath { get; init; }
}
