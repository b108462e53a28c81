using System.Text.Json;
using System.Text.Json.Serialization;
using Phoenix.Gateway.Audit;

namespace Phoenix.Gateway.Api;

/// <summary>Source-generated JSON for the gateway's shapes (camelCase, nulls kept as DESIGN.md shows them).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ExecuteRequestDto))]
[JsonSerializable(typeof(ExecuteResponseDto))]
[JsonSerializable(typeof(LimitsDto))]
[JsonSerializable(typeof(ValidateResponseDto))]
[JsonSerializable(typeof(TokenResponseDto))]
[JsonSerializable(typeof(AuditPageDto))]
[JsonSerializable(typeof(HealthResponseDto))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
