using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Phoenix.Cli.Tests.Support;

namespace Phoenix.Cli.Tests.Keys;

/// <summary><c>phoenix keys</c> against a real keys file, checked with the gateway's own parser.</summary>
public sealed class KeysCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("phoenix-keys-").FullName;

    private string KeysFile => Path.Combine(_dir, "keys.json");

    [Fact]
    public async Task Create_NewKey_PrintsItOnceAndStoresOnlyItsHashInAPrivateFile()
    {
        var result = await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "CI bot", "--permissions", "execute,audit", "--rate-limit", "30", "--data-dir", _dir);

        Assert.True(result.ExitCode == 0, result.ToString());
        var key = result.Stdout.Trim();
        Assert.StartsWith("phx_", key, StringComparison.Ordinal);
        Assert.Contains("only time", result.Stderr, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(KeysFile);
        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeysFile));
        var entry = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("keys").EnumerateArray());
        Assert.Equal("ci-bot", entry.GetProperty("id").GetString());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), entry.GetProperty("hash").GetString());
        Assert.Equal(["execute", "audit"], entry.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).ToArray());
        Assert.Equal(30, entry.GetProperty("rateLimitPerMinute").GetInt32());
    }

    [Fact]
    public async Task Create_SameNameTwice_GivesDistinctIdsAndKeys()
    {
        var first = await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "bot", "--data-dir", _dir);
        var second = await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "bot", "--data-dir", _dir);

        Assert.NotEqual(first.Stdout, second.Stdout);
        var list = await PhoenixCli.RunInProcessAsync("keys", "list", "--json", "--data-dir", _dir);
        var ids = JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray().Select(k => k.GetProperty("id").GetString()!).ToArray();
        Assert.Equal(["bot", "bot-2"], ids);
    }

    [Fact]
    public async Task Create_UnknownPermission_IsRejectedAndWritesNothing()
    {
        var result = await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "x", "--permissions", "root", "--data-dir", _dir);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown permission 'root'", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(KeysFile));
    }

    [Fact]
    public async Task List_Keys_ShowsStateButNeverHashes()
    {
        await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "a", "--data-dir", _dir);
        await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "b", "--data-dir", _dir);
        await PhoenixCli.RunInProcessAsync("keys", "disable", "b", "--data-dir", _dir);

        var table = await PhoenixCli.RunInProcessAsync("keys", "list", "--data-dir", _dir);
        var json = await PhoenixCli.RunInProcessAsync("keys", "list", "--json", "--data-dir", _dir);

        Assert.Contains("active", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("disabled", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256", table.Stdout + json.Stdout, StringComparison.Ordinal);
        var states = JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().ToDictionary(k => k.GetProperty("id").GetString()!, k => k.GetProperty("state").GetString());
        Assert.Equal("active", states["a"]);
        Assert.Equal("disabled", states["b"]);
    }

    [Fact]
    public async Task Rotate_Key_ReplacesTheHashKeepsIdAndPermissions()
    {
        var created = await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "svc", "-p", "execute", "-p", "vitals", "--data-dir", _dir);
        var before = await File.ReadAllTextAsync(KeysFile);

        var rotated = await PhoenixCli.RunInProcessAsync("keys", "rotate", "svc", "--data-dir", _dir);

        Assert.True(rotated.ExitCode == 0, rotated.ToString());
        var newKey = rotated.Stdout.Trim();
        Assert.NotEqual(created.Stdout.Trim(), newKey);
        var entry = JsonDocument.Parse(await File.ReadAllTextAsync(KeysFile)).RootElement.GetProperty("keys")[0];
        Assert.Equal("svc", entry.GetProperty("id").GetString());
        Assert.Equal(["execute", "vitals"], entry.GetProperty("permissions").EnumerateArray().Select(p => p.GetString()!).ToArray());
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(newKey))), entry.GetProperty("hash").GetString());
        Assert.NotEqual(before, await File.ReadAllTextAsync(KeysFile));
    }

    [Fact]
    public async Task Disable_UnknownId_FailsNamingTheKnownIds()
    {
        await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "only", "--data-dir", _dir);
        var before = await File.ReadAllTextAsync(KeysFile);

        var result = await PhoenixCli.RunInProcessAsync("keys", "disable", "nope", "--data-dir", _dir);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("No key with id 'nope' (known: only)", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(KeysFile));
    }

    [Fact]
    public async Task Edit_CorruptKeysFile_RefusesAndLeavesItAlone()
    {
        await File.WriteAllTextAsync(KeysFile, "{ not json");

        var result = await PhoenixCli.RunInProcessAsync("keys", "create", "--name", "x", "--data-dir", _dir);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot be read", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("{ not json", await File.ReadAllTextAsync(KeysFile));
    }

    [Fact]
    public async Task Create_ConcurrentInvocations_EveryKeyLands()
    {
        var runs = Enumerable.Range(0, 8).Select(i => Task.Run(() => PhoenixCli.RunInProcessAsync("keys", "create", "--name", $"k{i}", "--data-dir", _dir)));

        var results = await Task.WhenAll(runs);

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        var keys = JsonDocument.Parse(await File.ReadAllTextAsync(KeysFile)).RootElement.GetProperty("keys");
        Assert.Equal(8, keys.GetArrayLength());
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", SearchOption.AllDirectories));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
