using System.Text.RegularExpressions;
using Phoenix.Gateway.Auth;

namespace Phoenix.Gateway.Tests.Auth;

public sealed class ApiKeysTests
{
    [Fact]
    public void Generate_Always_ReturnsPrefixAnd43Base64UrlCharacters()
    {
        var key = ApiKeys.Generate();

        Assert.Matches(new Regex("^phx_[A-Za-z0-9_-]{43}$"), key);
    }

    [Fact]
    public void Generate_CalledTwice_ReturnsDifferentKeys() =>
        Assert.NotEqual(ApiKeys.Generate(), ApiKeys.Generate());

    [Fact]
    public void Hash_Key_ReturnsSha256PrefixAnd64LowercaseHexDigits()
    {
        var hash = ApiKeys.Hash("phx_test");

        Assert.Matches(new Regex("^sha256:[0-9a-f]{64}$"), hash);
        Assert.Equal(hash, ApiKeys.Hash("phx_test"));
        Assert.NotEqual(hash, ApiKeys.Hash("phx_tesT"));
        Assert.True(ApiKeys.IsValidHash(hash));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256:abc")]
    [InlineData("md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg")]
    public void IsValidHash_Malformed_ReturnsFalse(string? hash) => Assert.False(ApiKeys.IsValidHash(hash));
}
