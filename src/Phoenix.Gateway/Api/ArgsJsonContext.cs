using System.Text.Json.Serialization;

namespace Phoenix.Gateway.Api;

/// <summary>JSON of the argument list, as digested into the audit trail.</summary>
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(string))]
internal sealed partial class ArgsJsonContext : JsonSerializerContext;
