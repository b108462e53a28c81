using System.Text.Json;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// The API keys file (<c>Phoenix:Gateway:KeysFile</c>), an immutable snapshot reloaded when the file changes:
/// <c>{"keys":[{"id":"dev","name":"Development","hash":"sha256:…","permissions":["execute"],"rateLimitPerMinute":100,"disabled":false,"expiresAt":null}]}</c>.
/// </summary>
/// <remarks>
/// Property names are camelCase (matched case-insensitively); comments and trailing commas are allowed; an unknown
/// property is an error, so a typo (<c>"disbled": true</c>) rejects the file instead of being ignored.
/// </remarks>
internal sealed record ApiKeysFile
{
    /// <summary>Every key, enabled or not.</summary>
    public IReadOnlyList<ApiKeyEntry> Keys { get; init; } = [];

    /// <summary>Reads a keys file; throws <see cref="JsonException"/> when it is not valid JSON of this shape.</summary>
    /// <param name="stream">The file's content.</param>
    public static ApiKeysFile Parse(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return JsonSerializer.Deserialize(stream, ApiKeysJsonContext.Default.ApiKeysFile)
            ?? throw new JsonException("The keys file is empty (null).");
    }
}
