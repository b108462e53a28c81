using System.Text.Json;
using System.Text.Json.Serialization;

namespace Phoenix.Bench.InstantExecutor;

/// <summary>Source-generated JSON, with the gateway's settings (camelCase, nulls kept).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(InstantResponse))]
public sealed partial class InstantJsonContext : JsonSerializerContext;
