namespace Phoenix.Gateway.Api;

/// <summary>The answer of <c>POST /api/v1/execute/validate</c>: what the executor's policy says, nothing ran.</summary>
internal sealed record ValidateResponseDto(bool Valid, string? ResolvedCommand, LimitsDto? AppliedLimits, Dictionary<string, string[]> Errors, string TraceId);
