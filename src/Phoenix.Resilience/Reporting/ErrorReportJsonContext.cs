using System.Text.Json.Serialization;

namespace Phoenix.Resilience.Reporting;

/// <summary>Source-generated JSON for <see cref="ErrorReport"/>: camelCase, nulls left out.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorReport))]
internal sealed partial class ErrorReportJsonContext : JsonSerializerContext;
