namespace Phoenix.Gateway.Api;

/// <summary>The answer of <c>GET /api/v1/token</c>.</summary>
internal sealed record TokenResponseDto(string AccessToken, string TokenType, int ExpiresIn, string KeyId, string[] Permissions);
