namespace Phoenix.Gateway.Forwarding;

/// <summary>TLS towards executors: the CA their certificates chain to, and the gateway's client certificate (mTLS).</summary>
public sealed record ExecutorTlsOptions
{
    /// <summary>PEM CA certificate that executor certificates must chain to; absent means the system trust store.</summary>
    public string? CaPath { get; init; }

    /// <summary>PEM client certificate presented to executors (mTLS).</summary>
    public string? ClientCertificatePath { get; init; }

    /// <summary>PEM private key of the client certificate.</summary>
    public string? ClientKeyPath { get; init; }
}
