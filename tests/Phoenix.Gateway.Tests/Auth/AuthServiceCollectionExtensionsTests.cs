using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class AuthServiceCollectionExtensionsTests : IDisposable
{
    private readonly AuthKeysDirectory _keys = new();

    public void Dispose() => _keys.Dispose();

    [Fact]
    public async Task AddGatewayAuthentication_InvalidKeysFileAtStart_RefusesToStart()
    {
        _keys.WriteRaw("""{"keys":[{"id":"a","hash":"sha256:00","permissions":["fly"]}]}""");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => AuthTestHost.StartAsync(_keys));

        Assert.Contains(error.Failures, f => f.Contains("hash must be", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("unknown permission 'fly'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddGatewayAuthentication_ShortSigningKey_RefusesToStart()
    {
        _keys.Write();
        var settings = new Dictionary<string, string?> { ["Phoenix:Gateway:Jwt:SigningKey"] = Convert.ToBase64String(new byte[16]) };

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => AuthTestHost.StartAsync(_keys, settings));

        Assert.Contains(error.Failures, f => f.Contains("at least 32 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddGatewayAuthentication_NoSigningKey_WarnsThatTokensDieWithTheProcess()
    {
        _keys.Write();

        await using var host = await AuthTestHost.StartAsync(_keys);

        Assert.Contains(host.Logs.Logs, l => l.EventId.Id == 4101 && l.Level == Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Theory]
    [InlineData(null, null, null, ".phoenix/keys.json")]
    [InlineData(null, null, "/env-data", "/env-data/keys.json")]
    [InlineData(null, "/data", "/env-data", "/data/keys.json")]
    [InlineData("/etc/phoenix/keys.json", "/data", null, "/etc/phoenix/keys.json")]
    public void KeysFilePath_Configuration_LivesInTheGatewayDataDirectoryLikeTheAuditDatabase(string? keysFile, string? dataDir, string? environmentDataDir, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:KeysFile"] = keysFile,
            ["Phoenix:Gateway:DataDir"] = dataDir,
            ["PHOENIX_DATA_DIR"] = environmentDataDir,
        }).Build();

        Assert.Equal(Path.GetFullPath(expected), AuthServiceCollectionExtensions.KeysFilePath(configuration));
    }
}
