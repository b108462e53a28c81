using Phoenix.Faults.Tests.Support;
using Phoenix.Testing;
using Xunit.Abstractions;

namespace Phoenix.Faults.Tests;

/// <summary>
/// The gateway killed with SIGKILL under load and started again on the same data directory: every run a client got an
/// answer for is in the audit trail afterwards (the finished record is durable before the answer is sent), and what
/// the crash cut short stays visible as <c>accepted</c>.
/// </summary>
public sealed class GatewayKillTests(ITestOutputHelper output)
{
    private const int Callers = 6;
    private const double RunSeconds = 0.3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Execute_GatewayKilledUnderLoadAndRestarted_EveryAnsweredRunIsInTheAudit()
    {
        var profile = FaultProfile.Current;
        await using var stack = await PhoenixStack.StartAsync(new PhoenixStackOptions { Executors = 2 });
        var outages = new List<(TimeSpan Killing, TimeSpan Restarted, TimeSpan Back, int Outstanding)>();

        await using var load = new LoadGenerator(stack.GatewayUrl);
        load.Start("test", Callers, stack.ApiKey, token => LoadGenerator.SleepRun(token, RunSeconds), TimeSpan.FromMilliseconds(200));
        for (var cycle = 0; cycle < profile.FaultCycles; cycle++)
        {
            var cycleStart = load.Now;
            await load.WaitForAsync(r => r.Count(c => c.Succeeded && c.SentAt >= cycleStart) >= Callers, Patience, "runs before the kill");
            await Task.Delay(profile.LoadAroundFault);

            await Eventually.TrueAsync(() => load.Outstanding > 0, Patience, "a call in flight");
            var outstanding = load.Outstanding;
            var killing = load.Now;
            await stack.Gateway!.KillAsync();
            await stack.StartGatewayAsync();
            var restarted = load.Now;
            await load.WaitForAsync(r => r.Any(c => c.Succeeded && c.SentAt >= restarted), Patience, "a run after the restart");
            outages.Add((killing, restarted, load.Records.Where(c => c.Succeeded && c.SentAt >= restarted).Min(c => c.EndedAt), outstanding));
        }

        await Task.Delay(profile.LoadAroundFault);
        await load.StopAsync();
        var records = load.Records;
        var audit = await AuditLog.ReadAllAsync(stack.GatewayUrl, stack.ApiKey);

        var answered = records.Where(r => r.Answered).ToList();
        var unanswered = records.Where(r => !r.Answered).ToList();
        output.WriteLine($"profile {profile.Name}: {records.Count} calls, {answered.Count} answered, {unanswered.Count} not");
        foreach (var (killing, restarted, back, outstanding) in outages)
        {
            output.WriteLine(
                $"  kill at {killing.TotalSeconds:F1}s with {outstanding} call(s) in flight: gateway ready again after {(restarted - killing).TotalSeconds:F1}s, "
                + $"first run answered {(back - killing).TotalSeconds:F1}s after the kill");
        }

        output.WriteLine($"  audit: {string.Join(", ", audit.GroupBy(a => a.Status).Select(g => $"{g.Key}: {g.Count()}"))}");

        // Answers are runs; a call without an answer was in flight, or sent, while the gateway was down.
        Assert.All(answered, r => Assert.True(r.Succeeded, r.ToString()));
        Assert.All(unanswered, r => Assert.True(outages.Any(o => r.SentAt <= o.Restarted && r.EndedAt >= o.Killing), "no answer outside an outage: " + r));

        // Every answered run is in the audit trail, finished, as answered.
        var byRun = audit.ToDictionary(a => a.RunId, StringComparer.Ordinal);
        foreach (var record in answered)
        {
            Assert.True(byRun.TryGetValue(record.RunId!, out var entry), "answered but not audited: " + record);
            Assert.Equal(("succeeded", record.Executor), (entry.Status, entry.Executor));
        }

        // Nothing else: what a crash cut short is "accepted" (or finished, when only the answer was lost), and there
        // are no more of those than calls that went unanswered.
        Assert.All(audit, a => Assert.True(a.Status is "succeeded" or "accepted", $"{a}"));
        Assert.InRange(audit.Count - answered.Count, 0, unanswered.Count);
    }
}
