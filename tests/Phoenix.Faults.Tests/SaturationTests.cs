using System.Globalization;
using Phoenix.Faults.Tests.Support;
using Phoenix.Testing;
using Xunit.Abstractions;

namespace Phoenix.Faults.Tests;

/// <summary>
/// The whole stack driven past its saturation point: more callers than the executors have run slots and queue places
/// (2 executors × (2 running + 2 queued)) and than the gateway admits (12 forwarded + 4 waiting), plus a key over its
/// rate limit. Every answer must be a run (200) or a refusal a client can act on (429, 503: problem+json with
/// Retry-After), and memory must stay flat once warmed up.
/// </summary>
public sealed class SaturationTests(ITestOutputHelper output)
{
    private const int ExecutorSlots = 2;
    private const int ExecutorQueue = 2;
    private const int GatewaySlots = 12;
    private const int GatewayQueue = 4;
    private const int Callers = 24;
    private const int LimitedCallers = 2;
    private const int LimitedPerMinute = 10;
    private const double MaxGrowth = 0.10;

    // Warm-up lasts the profile's time and at least this many answers (at most four times the time): on a loaded
    // machine the time alone does not let JIT tiering, thread and connection pools and GC budgets settle.
    private const int WarmUpCalls = 1_500;

    [Fact]
    public async Task Execute_AboveSaturation_AnswersOnly200Or429Or503AndMemoryStaysFlat()
    {
        Assert.True(Callers > 2 * (ExecutorSlots + ExecutorQueue) && Callers > GatewaySlots + GatewayQueue);
        var profile = FaultProfile.Current;
        await using var stack = await PhoenixStack.StartAsync(new PhoenixStackOptions
        {
            Executors = 2,
            ExecutorArgs =
            [
                $"--Phoenix:Executor:MaxConcurrentRuns={ExecutorSlots}",
                $"--Phoenix:Executor:QueueLength={ExecutorQueue}",
            ],
            GatewayArgs =
            [
                $"--Phoenix:Gateway:RateLimit:MaxConcurrentRuns={GatewaySlots}",
                $"--Phoenix:Gateway:RateLimit:QueueLimit={GatewayQueue}",
            ],
        });

        // A second key with a small rate limit, so that 429 is part of the mix.
        var limitedKey = KeysFile.NewKey();
        var applied = ServiceLog.Events(stack.Gateway!, 5008, "api-keys").Count;
        KeysFile.Write(
            stack.KeysFile,
            KeysFile.Entry("test", stack.ApiKey, stack.Options.RateLimitPerMinute, "execute", "vitals", "audit", "admin"),
            KeysFile.Entry("limited", limitedKey, LimitedPerMinute, "execute"));
        await ServiceLog.WaitForEventAsync(stack.Gateway!, 5008, "api-keys", applied, TimeSpan.FromSeconds(30));

        await using var memory = new MemorySampler(
            new Dictionary<string, (Func<int?>, Uri?)>
            {
                ["gateway"] = (() => stack.Gateway?.Pid, stack.GatewayUrl),
                ["executor-0"] = (() => stack.Executors[0].Process?.Pid, stack.Executors[0].MetricsUrl),
                ["executor-1"] = (() => stack.Executors[1].Process?.Pid, stack.Executors[1].MetricsUrl),
            },
            TimeSpan.FromMilliseconds(500));
        await using var load = new LoadGenerator(stack.GatewayUrl);
        load.Start("test", Callers, stack.ApiKey, token => LoadGenerator.SleepRun(token, 0.2));
        load.Start("limited", LimitedCallers, limitedKey, token => LoadGenerator.SleepRun(token, 0.2));

        var warmUp = System.Diagnostics.Stopwatch.StartNew();
        while (warmUp.Elapsed < profile.SaturationWarmUp || (load.Records.Count < WarmUpCalls && warmUp.Elapsed < 4 * profile.SaturationWarmUp))
        {
            await Task.Delay(250);
        }

        var warmUpCalls = load.Records.Count;
        var warmUpTime = warmUp.Elapsed;
        var steadyFrom = memory.Now;
        var callsBefore = load.Records.Count;
        await Task.Delay(profile.SaturationSteady);
        var steadyTo = memory.Now;
        var callsDuring = load.Records.Count - callsBefore;
        await load.StopAsync();

        var records = load.Records;
        var growth = new[] { "gateway", "executor-0", "executor-1" }.Select(s => memory.Growth(s, steadyFrom, steadyTo)).ToList();
        output.WriteLine($"profile {profile.Name}: warm-up {warmUpTime.TotalSeconds:F0} s ({warmUpCalls} calls), steady {profile.SaturationSteady.TotalSeconds} s");
        output.WriteLine($"{records.Count} calls ({callsDuring} in the steady window, {callsDuring / profile.SaturationSteady.TotalSeconds:F1}/s)");
        foreach (var group in records.GroupBy(r => (r.Group, r.HttpStatus, r.ProblemCode)).OrderBy(g => g.Key.Group, StringComparer.Ordinal).ThenBy(g => g.Key.HttpStatus))
        {
            output.WriteLine($"  {group.Key.Group}: {group.Key.HttpStatus?.ToString(CultureInfo.InvariantCulture) ?? "no answer"} {group.Key.ProblemCode}: {group.Count()}");
        }

        foreach (var g in growth)
        {
            output.WriteLine("  " + g);
        }

        Assert.All(records, r => Assert.True(r.HttpStatus is 200 or 429 or 503, r.ToString()));
        Assert.All(records.Where(r => r.HttpStatus == 200), r => Assert.Equal("succeeded", r.RunStatus));
        Assert.All(records.Where(r => r.HttpStatus is 429 or 503), r => Assert.True(r.IsWellFormedRetryableProblem, r.ToString()));

        // The mix proves the point was reached: runs went through, the executors and the gateway refused, the key hit its limit.
        Assert.Contains(records, r => r.Succeeded);
        Assert.Contains(records, r => r.HttpStatus == 503);
        Assert.Contains(records, r => r.HttpStatus == 429 && r.Group == "limited");
        Assert.DoesNotContain(records, r => r.HttpStatus == 429 && r.Group == "test");

        Assert.All(growth, g => Assert.True(g.Growth < MaxGrowth, $"memory grew more than {MaxGrowth:P0}: {g}"));
    }
}
