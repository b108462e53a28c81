namespace Phoenix.Cli.Common;

/// <summary>
/// Where the CLI finds Phoenix: the data directory (<c>--data-dir</c>, else <c>PHOENIX_DATA_DIR</c>, else
/// <c>./.phoenix</c>), the gateway (<c>--url</c>, else <c>PHOENIX_URL</c>, else <c>http://127.0.0.1:8000</c>) and
/// the API key (<c>PHOENIX_API_KEY</c>, else the development key file written by <c>phoenix up</c>).
/// </summary>
internal sealed record CliSettings(string DataDir, Uri GatewayUrl, Func<string?> ApiKey)
{
    public const string DefaultUrl = "http://127.0.0.1:8000";
    public const string DevKeyFileName = "dev-api-key";
    public const string KeysFileName = "keys.json";

    public string DevKeyFile => Path.Combine(DataDir, DevKeyFileName);

    public string KeysFile => Path.Combine(DataDir, KeysFileName);

    public static string ResolveDataDir(string? option, IReadOnlyDictionary<string, string?> environment) =>
        Path.GetFullPath(!string.IsNullOrWhiteSpace(option) ? option
            : environment.GetValueOrDefault("PHOENIX_DATA_DIR") is { Length: > 0 } fromEnvironment ? fromEnvironment
            : ".phoenix");

    /// <summary>Resolves the settings; throws <see cref="CliException"/> for a malformed URL.</summary>
    public static CliSettings Resolve(string? dataDirOption, string? urlOption, IReadOnlyDictionary<string, string?> environment)
    {
        var dataDir = ResolveDataDir(dataDirOption, environment);
        var rawUrl = !string.IsNullOrWhiteSpace(urlOption) ? urlOption
            : environment.GetValueOrDefault("PHOENIX_URL") is { Length: > 0 } fromEnvironment ? fromEnvironment
            : DefaultUrl;
        if (!Uri.TryCreate(rawUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new CliException($"The gateway URL '{rawUrl}' is not an http(s) URL (set --url or PHOENIX_URL).", ExitCodes.Usage);
        }

        if (!url.AbsolutePath.EndsWith('/'))
        {
            url = new Uri(url + "/");
        }

        var explicitKey = environment.GetValueOrDefault("PHOENIX_API_KEY");
        var settings = new CliSettings(dataDir, url, () => null);
        return settings with { ApiKey = () => !string.IsNullOrWhiteSpace(explicitKey) ? explicitKey.Trim() : settings.ReadDevKey() };
    }

    private string? ReadDevKey()
    {
        try
        {
            return File.Exists(DevKeyFile) ? File.ReadAllText(DevKeyFile).Trim() : null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The process environment as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);
}
