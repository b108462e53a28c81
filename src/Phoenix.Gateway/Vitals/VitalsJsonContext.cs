using System.Text.Json;
using System.Text.Json.Serialization;

namespace Phoenix.Gateway.Vitals;

/// <summary>Source-generated JSON of the vitals stream (camelCase, nulls written).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(VitalsDto))]
internal sealed partial class VitalsJsonContext : JsonSerializerContext;
