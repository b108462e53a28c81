using System.Net;
using System.Runtime.Versioning;
using Microsoft.Extensions.DependencyInjection;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>
/// DESIGN: "Hot reload of keys … takes effect within 2 seconds without dropping requests". The keys file is replaced
/// (temp file + rename) while admin traffic runs (<see cref="AdminTraffic"/>): added, disabled and rotated keys take
/// effect (bounded poll, not a timing assert), an invalid file is rejected and the last good keys stay, and not one
/// admin request fails throughout.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class KeysHotReloadTests(HostileStackFixture fixture) : IClassFixture<HostileStackFixture>
{
    private const int PollSeconds = 10;

    private ReloadableSnapshot<ApiKeysFile> Snapshot =>
        fixture.Stack.GatewayServices.GetRequiredKeyedService<ReloadableSnapshot<ApiKeysFile>>(AuthServiceCollectionExtensions.KeysSnapshotName);

    public static TheoryData<string> InvalidFiles => [.. InvalidContents.Keys, "deleted"];

    private static Dictionary<string, string> InvalidContents { get; } = new(StringComparer.Ordinal)
    {
        ["not-json"] = "this is not json",
        ["truncated"] = """{"keys":[{"id":"test-admin","hash":"sha256:""",
        ["empty-file"] = string.Empty,
        ["json-null"] = "null",
        ["keys-not-a-list"] = """{"keys":{"id":"x"}}""",
        ["unknown-property"] = """{"keys":[],"disbled":true}""",
        ["bad-hash"] = """{"keys":[{"id":"intruder","hash":"sha256:xyz","permissions":["admin"]}]}""",
        ["unknown-permission"] = """{"keys":[{"id":"intruder","hash":"sha256:0000000000000000000000000000000000000000000000000000000000000000","permissions":["root"]}]}""",
        ["duplicate-id"] = """{"keys":[{"id":"a","hash":"sha256:0000000000000000000000000000000000000000000000000000000000000000","permissions":[]},{"id":"a","hash":"sha256:1111111111111111111111111111111111111111111111111111111111111111","permissions":[]}]}""",
    };

    [Fact]
    public async Task AddKey_UnderTraffic_WorksSoonAndAdminNeverFails()
    {
        var added = HostileKey.New("added-" + Guid.NewGuid().ToString("N")[..8], "execute");
        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.StatusAsync(added.Secret));
        var traffic = await AdminTraffic.StartAsync(fixture.Http, fixture.Admin.Secret);

        await KeysFileEditor.WriteAsync(fixture.Stack.KeysFile, [.. fixture.Keys, added]);
        await Eventually.TrueAsync(async () => await fixture.StatusAsync(added.Secret) == HttpStatusCode.OK, PollSeconds);

        await AssertNoFailuresAsync(traffic);
    }

    [Fact]
    public async Task DisableKey_UnderTraffic_Is401SoonAndAdminNeverFails()
    {
        var key = HostileKey.New("to-disable-" + Guid.NewGuid().ToString("N")[..8], "execute");
        await KeysFileEditor.WriteAsync(fixture.Stack.KeysFile, [.. fixture.Keys, key]);
        await Eventually.TrueAsync(async () => await fixture.StatusAsync(key.Secret) == HttpStatusCode.OK, PollSeconds);
        var traffic = await AdminTraffic.StartAsync(fixture.Http, fixture.Admin.Secret);

        await KeysFileEditor.WriteAsync(fixture.Stack.KeysFile, [.. fixture.Keys, key with { Disabled = true }]);
        await Eventually.TrueAsync(async () => await fixture.StatusAsync(key.Secret) == HttpStatusCode.Unauthorized, PollSeconds);

        await AssertNoFailuresAsync(traffic);
    }

    [Fact]
    public async Task RotateKey_UnderTraffic_OldIs401NewIs200AndAdminNeverFails()
    {
        var old = HostileKey.New("rotated-" + Guid.NewGuid().ToString("N")[..8], "execute");
        var rotated = old with { Secret = Phoenix.Gateway.Auth.ApiKeys.Generate() };
        await KeysFileEditor.WriteAsync(fixture.Stack.KeysFile, [.. fixture.Keys, old]);
        await Eventually.TrueAsync(async () => await fixture.StatusAsync(old.Secret) == HttpStatusCode.OK, PollSeconds);
        var traffic = await AdminTraffic.StartAsync(fixture.Http, fixture.Admin.Secret);

        await KeysFileEditor.WriteAsync(fixture.Stack.KeysFile, [.. fixture.Keys, rotated]);
        await Eventually.TrueAsync(async () => await fixture.StatusAsync(rotated.Secret) == HttpStatusCode.OK, PollSeconds);

        Assert.Equal(HttpStatusCode.Unauthorized, await fixture.StatusAsync(old.Secret));
        await AssertNoFailuresAsync(traffic);
    }

    [Theory]
    [MemberData(nameof(InvalidFiles))]
    public async Task InvalidKeysFile_UnderTraffic_IsRejectedAndLastGoodKeysStay(string name)
    {
        var survivor = HostileKey.New("survivor-" + Guid.NewGuid().ToString("N")[..8], "execute");
        await KeysFileEditor.WriteAsync(fixture.Stack.KeysFile, [.. fixture.Keys, survivor]);
        await Eventually.TrueAsync(async () => await fixture.StatusAsync(survivor.Secret) == HttpStatusCode.OK && Snapshot.LastRejection is null, PollSeconds);
        var version = Snapshot.Version;
        var traffic = await AdminTraffic.StartAsync(fixture.Http, fixture.Admin.Secret);

        if (name == "deleted")
        {
            File.Delete(fixture.Stack.KeysFile);
        }
        else
        {
            await KeysFileEditor.WriteRawAsync(fixture.Stack.KeysFile, InvalidContents[name]);
        }

        await Eventually.TrueAsync(() => Task.FromResult(Snapshot.LastRejection is not null), PollSeconds);

        // The rejected file changed nothing: same version, the admin and the survivor still authenticate.
        Assert.Equal(version, Snapshot.Version);
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(survivor.Secret));
        Assert.Equal(HttpStatusCode.OK, await fixture.StatusAsync(fixture.Admin.Secret));
        await AssertNoFailuresAsync(traffic);

        // A good file afterwards is applied again.
        await KeysFileEditor.WriteAsync(fixture.Stack.KeysFile, fixture.Keys);
        await Eventually.TrueAsync(async () => await fixture.StatusAsync(survivor.Secret) == HttpStatusCode.Unauthorized && Snapshot.LastRejection is null, PollSeconds);
    }

    private static async Task AssertNoFailuresAsync(AdminTraffic traffic)
    {
        var (echo, validate, failures) = await traffic.StopAsync();
        Assert.True(failures.Count == 0, $"{failures.Count} admin request(s) failed during the reload:\n{string.Join("\n", failures.Take(10))}");
        Assert.True(echo > 0 && validate > 0, $"No traffic ran (echo {echo}, validate {validate}).");
    }
}
