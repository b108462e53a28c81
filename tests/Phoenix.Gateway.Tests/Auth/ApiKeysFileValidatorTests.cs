using System.Text;
using System.Text.Json;
using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class ApiKeysFileValidatorTests
{
    private static readonly string GoodHash = ApiKeys.Hash("phx_a");

    [Fact]
    public void Validate_ValidFile_Succeeds()
    {
        var file = new ApiKeysFile
        {
            Keys =
            [
                new ApiKeyEntry { Id = "dev.team_1-a", Hash = GoodHash, Permissions = [.. Permissions.All], RateLimitPerMinute = 100 },
                new ApiKeyEntry { Id = "ci", Hash = ApiKeys.Hash("phx_b"), Permissions = ["execute"], ExpiresAt = DateTimeOffset.UnixEpoch },
            ],
        };

        Assert.True(new ApiKeysFileValidator().Validate("api-keys", file).Succeeded);
    }

    [Fact]
    public void Validate_EveryRuleBroken_ReportsEveryErrorWithoutTheHash()
    {
        var badHash = "sha256:" + new string('z', 64);
        var file = new ApiKeysFile
        {
            Keys =
            [
                new ApiKeyEntry { Id = "dup", Hash = GoodHash, Permissions = ["execute"] },
                new ApiKeyEntry { Id = "dup", Hash = ApiKeys.Hash("phx_c"), Permissions = ["execute"] },
                new ApiKeyEntry { Id = "bad id!", Hash = badHash, Permissions = ["root"] },
                new ApiKeyEntry { Id = new string('x', 65), Hash = GoodHash, Permissions = [], RateLimitPerMinute = 0 },
                new ApiKeyEntry { Id = "big", Hash = ApiKeys.Hash("phx_d"), Permissions = [], RateLimitPerMinute = 1_000_001 },
            ],
        };

        var result = new ApiKeysFileValidator().Validate("api-keys", file);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToArray();
        Assert.Contains(failures, f => f.Contains("keys[1]", StringComparison.Ordinal) && f.Contains("not unique", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("keys[2]", StringComparison.Ordinal) && f.Contains("id must match", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("keys[2]", StringComparison.Ordinal) && f.Contains("hash must be", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("keys[2]", StringComparison.Ordinal) && f.Contains("unknown permission 'root'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("keys[3]", StringComparison.Ordinal) && f.Contains("id must match", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("keys[3]", StringComparison.Ordinal) && f.Contains("used by another key", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("keys[3]", StringComparison.Ordinal) && f.Contains("rateLimitPerMinute", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("keys[4]", StringComparison.Ordinal) && f.Contains("rateLimitPerMinute", StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain(GoodHash[7..], f, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_DocumentedShape_ReadsEveryField()
    {
        var json = $$"""
            // comments are allowed
            {"keys":[{"id":"dev","name":"Development","hash":"{{GoodHash}}","permissions":["execute","vitals","audit","admin"],
              "rateLimitPerMinute":100,"disabled":false,"expiresAt":null},]}
            """;

        var file = ApiKeysFile.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json)));

        var key = Assert.Single(file.Keys);
        Assert.Equal(("dev", "Development", GoodHash, 100, false), (key.Id, key.Name, key.Hash, key.RateLimitPerMinute!.Value, key.Disabled));
        Assert.Equal(Permissions.All, key.Permissions);
        Assert.Null(key.ExpiresAt);
    }

    [Fact]
    public void Parse_UnknownProperty_Throws() =>
        Assert.ThrowsAny<JsonException>(() => ApiKeysFile.Parse(new MemoryStream(Encoding.UTF8.GetBytes("""{"keys":[{"id":"a","disbled":true}]}"""))));
}
