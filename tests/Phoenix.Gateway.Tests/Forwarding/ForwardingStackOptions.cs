namespace Phoenix.Gateway.Tests.Forwarding;

/// <summary>How a <see cref="ForwardingStack"/> is built.</summary>
public sealed record ForwardingStackOptions
{
    /// <summary>Executors started in-process. Default 2.</summary>
    public int Executors { get; init; } = 2;

    /// <summary>Configuration added to every executor (after the stack's own).</summary>
    public IReadOnlyDictionary<string, string?> ExecutorSettings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Configuration added to the gateway (after the stack's own).</summary>
    public IReadOnlyDictionary<string, string?> GatewaySettings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Whether executors listen with TLS (<c>https</c>); the TLS settings themselves go in <see cref="ExecutorSettings"/>.</summary>
    public bool Https { get; init; }
}
