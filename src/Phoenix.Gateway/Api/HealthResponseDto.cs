namespace Phoenix.Gateway.Api;

/// <summary>The answer of <c>GET /health</c>: SERVING, DEGRADED or CRITICAL, with each dependency.</summary>
internal sealed record HealthResponseDto(string Status, IReadOnlyList<DependencyDto> Dependencies);

/// <summary>One dependency's state.</summary>
internal sealed record DependencyDto(string Name, string Status, string? Detail);
