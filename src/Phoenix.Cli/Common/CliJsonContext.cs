using System.Text.Json;
using System.Text.Json.Serialization;
using Phoenix.Cli.Keys;

namespace Phoenix.Cli.Common;

/// <summary>Source-generated JSON for what the CLI prints and sends.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IEnumerable<KeyRow>))]
[JsonSerializable(typeof(Exec.ExecRequest))]
[JsonSerializable(typeof(string))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
