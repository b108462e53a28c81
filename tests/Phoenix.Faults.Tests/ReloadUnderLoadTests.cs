using System.Diagnostics;
using System.Text.Json;
using Phoenix.Faults.Tests.Support;
using Phoenix.Testing;
using Xunit.Abstractions;

namespace Phoenix.Faults.Tests;

/// <summary>
/// The gateway's keys file and the executors' policy file rewritten under load, with valid and invalid content. Valid
/// changes take effect; invalid ones are rejected (the last good configuration stays in force), logged as the
/// <c>ConfigurationRejected</c> security event (5007) and shown in health; and no call with a key that stays valid fails.
/// </summary>
public sealed class ReloadUnderLoadTests(ITestOutputHelper output) : IDisposable
{
    private const int Callers = 4;
    private const int ConfigurationRejected = 5007;
    private const int ConfigurationApplied = 5008;
    private const string KeysSource = "api-keys";
    private const string PolicySource = "executor-policy";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _policyDir = Directory.CreateTempSubdirectory("phoenix-faults-policy-").FullName;

    private string PolicyFile => Path.Join(_policyDir, "policy.json");

    [Fact]
    public async Task Execute_KeysAndPolicyReloadedUnderLoad_ValidApplyInvalidAreRejectedAndNoCallFails()
    {
        var profile = FaultProfile.Current;
        WritePolicy(withEcho: true);
        await using var stack = await PhoenixStack.StartAsync(new PhoenixStackOptions
        {
            Executors = 2,
            ExecutorArgs = [$"--Phoenix:Executor:PolicyFile={PolicyFile}"],
        });
        var gateway = stack.Gateway!;
        var extraKey = KeysFile.NewKey();
        var reloads = new List<string>();

        await using var load = new LoadGenerator(stack.GatewayUrl);
        load.Start("test", Callers, stack.ApiKey, token => LoadGenerator.SleepRun(token, 0.2));
        await load.WaitForAsync(r => r.Count(c => c.Succeeded) >= Callers, Patience, "runs before the first reload");
        Assert.Equal(200, (await Probe(load, stack.ApiKey)).HttpStatus);

        for (var round = 1; round <= profile.ReloadRounds; round++)
        {
            // Keys, valid: a new key (and, each round, a changed limit for it) works within the reload delay.
            object[] keys =
            [
                KeysFile.Entry("test", stack.ApiKey, stack.Options.RateLimitPerMinute, "execute", "vitals", "audit", "admin"),
                KeysFile.Entry("extra", extraKey, 100_000 - round, "execute"),
            ];
            var sw = Stopwatch.StartNew();
            await ReloadAsync(gateway, KeysSource, ConfigurationApplied, () => KeysFile.Write(stack.KeysFile, keys));
            await Eventually.TrueAsync(async () => (await load.SendAsync("extra-probe", extraKey, LoadGenerator.SleepRun("p", 0))).Succeeded, Patience, "the new key works");
            reloads.Add($"keys valid: new key usable after {sw.Elapsed.TotalSeconds:F1}s");
            if (round == 1)
            {
                load.Start("extra", 1, extraKey, token => LoadGenerator.SleepRun(token, 0.2));
            }

            // Keys, invalid (unparsable, parsable but failing validation, gone): rejected, reported, the old keys stay.
            foreach (var (what, change) in new (string, Action)[]
            {
                ("keys unparsable", () => AtomicFile.Write(stack.KeysFile, "{\"keys\": [ {\"id\": \"half-written")),
                ("keys invalid", () => AtomicFile.Write(stack.KeysFile, JsonSerializer.Serialize(new { keys = new[] { new { id = "test", hash = "sha256:not-hex", permissions = new[] { "execute" } } } }))),
                ("keys file deleted", () => File.Delete(stack.KeysFile)),
            })
            {
                var message = await ReloadAsync(gateway, KeysSource, ConfigurationRejected, change);
                var health = await GatewayHealth.ReadAsync(stack.GatewayUrl);
                Assert.NotEqual("up", health.Dependencies["configuration"].Status);
                Assert.True((await Probe(load, extraKey)).HttpStatus == 200, "the added key stopped working after an invalid reload");
                reloads.Add($"{what}: rejected (health configuration {health.Dependencies["configuration"].Status}): {Shorten(message)}");
            }

            await ReloadAsync(gateway, KeysSource, ConfigurationApplied, () => KeysFile.Write(stack.KeysFile, keys));
            await Eventually.TrueAsync(async () => (await GatewayHealth.ReadAsync(stack.GatewayUrl)).Dependencies["configuration"].Status == "up", Patience, "health clears the rejection");

            // Policy, valid: echo leaves the allowlist on both executors (the event is logged just before the new policy
            // is swapped in, so the probes may need a moment more).
            sw.Restart();
            await ReloadPolicyAsync(stack, ConfigurationApplied, () => WritePolicy(withEcho: false));
            await Eventually.TrueAsync(async () => (await ProbeBothAsync(load, stack.ApiKey)).All(p => p.HttpStatus == 403), Patience, "echo refused by both executors");
            reloads.Add($"policy valid (echo removed): echo answered 403 after {sw.Elapsed.TotalSeconds:F1}s");

            // Policy, invalid: rejected on both, reported, and the narrowed policy stays (echo still 403, sh still runs).
            foreach (var (what, content) in new[]
            {
                ("policy unparsable", "{\"Phoenix\": {\"Executor\": {\"Policy\": {\"Commands\": [\"sh\""),
                ("policy invalid", """{"Phoenix":{"Executor":{"Policy":{"Commands":["sh","sleep","echo"],"MaxArgs":-1}}}}"""),
            })
            {
                var messages = await ReloadPolicyAsync(stack, ConfigurationRejected, () => AtomicFile.Write(PolicyFile, content));
                Assert.All(await ProbeBothAsync(load, stack.ApiKey), p => Assert.Equal(403, p.HttpStatus));
                reloads.Add($"{what}: rejected by both executors, echo still 403: {Shorten(messages[0])}");
            }

            sw.Restart();
            await ReloadPolicyAsync(stack, ConfigurationApplied, () => WritePolicy(withEcho: true));
            var allowedBy = new HashSet<string>(StringComparer.Ordinal);
            await Eventually.TrueAsync(
                async () =>
                {
                    var probes = await ProbeBothAsync(load, stack.ApiKey);
                    allowedBy.UnionWith(probes.Where(p => p.Succeeded).Select(p => p.Executor!));
                    return probes.All(p => p.Succeeded) && allowedBy.Count == stack.Executors.Count;
                },
                Patience,
                "echo allowed by both executors");
            reloads.Add($"policy valid (echo back): echo answered 200 after {sw.Elapsed.TotalSeconds:F1}s");
        }

        await Task.Delay(profile.LoadAroundFault);
        await load.StopAsync();
        var calls = load.Records.Where(r => r.Group is "test" or "extra").ToList();
        output.WriteLine($"profile {profile.Name}: {profile.ReloadRounds} round(s), {calls.Count} calls under load ({calls.Count(c => c.Group == "extra")} with the added key)");
        foreach (var line in reloads)
        {
            output.WriteLine("  " + line);
        }

        Assert.All(calls, c => Assert.True(c.Succeeded, c.ToString()));
    }

    public void Dispose() => Directory.Delete(_policyDir, recursive: true);

    private static string Shorten(string message) => message.Length > 160 ? message[..160] + "…" : message;

    /// <summary>Runs <c>echo</c> (allowed or not, depending on the policy in force).</summary>
    private static Task<CallRecord> Probe(LoadGenerator load, string key) =>
        load.SendAsync("probe", key, JsonSerializer.Serialize(new { command = "echo", args = new[] { "probe" } }));

    /// <summary>Several probes at once, so that both executors are likely to answer some (the gateway sends each to the least busy).</summary>
    private static async Task<IReadOnlyList<CallRecord>> ProbeBothAsync(LoadGenerator load, string key) =>
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Probe(load, key)));

    /// <summary>Makes a change and waits for the gateway to log <paramref name="eventId"/> for <paramref name="source"/>.</summary>
    private static async Task<string> ReloadAsync(ServiceProcess process, string source, int eventId, Action change)
    {
        var before = ServiceLog.Events(process, eventId, source).Count;
        change();
        return await ServiceLog.WaitForEventAsync(process, eventId, source, before, Patience);
    }

    /// <summary>Makes a change to the policy file and waits for every executor to log <paramref name="eventId"/>.</summary>
    private static async Task<IReadOnlyList<string>> ReloadPolicyAsync(PhoenixStack stack, int eventId, Action change)
    {
        var before = stack.Executors.Select(e => ServiceLog.Events(e.Process!, eventId, PolicySource).Count).ToArray();
        change();
        var messages = new List<string>();
        for (var i = 0; i < stack.Executors.Count; i++)
        {
            messages.Add(await ServiceLog.WaitForEventAsync(stack.Executors[i].Process!, eventId, PolicySource, before[i], Patience));
        }

        return messages;
    }

    private void WritePolicy(bool withEcho)
    {
        string[] commands = withEcho ? ["sh", "sleep", "true", "echo"] : ["sh", "sleep", "true"];
        AtomicFile.Write(PolicyFile, JsonSerializer.Serialize(new { Phoenix = new { Executor = new { Policy = new { Commands = commands } } } }));
    }
}
