using System.Text.Json;
using System.Text.Json.Serialization;

namespace Phoenix.Gateway.Auth;

/// <summary>Source-generated JSON for the keys file: camelCase, comments and trailing commas allowed, unknown properties rejected.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = true)]
[JsonSerializable(typeof(ApiKeysFile))]
internal sealed partial class ApiKeysJsonContext : JsonSerializerContext;
