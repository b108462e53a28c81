using Phoenix.Faults.Tests.Support;
using Phoenix.Testing;
using Xunit.Abstractions;

namespace Phoenix.Faults.Tests;

/// <summary>
/// One of two executors killed with SIGKILL under load, then started again. The runs it had in flight end as 503/504
/// within their deadline and are audited <c>unknown</c>, never run again elsewhere; its circuit opens; new runs go to
/// the other executor; once back, it gets runs again. What each executor ran is checked against the audit trail.
/// </summary>
public sealed class ExecutorKillTests(ITestOutputHelper output)
{
    private const int Callers = 8;

    /// <summary>Transport failures in a row that open an executor's circuit (the gateway's default).</summary>
    private const int CircuitThreshold = 3;
    private const double RunSeconds = 0.5;
    private const int RunTimeoutMs = 5_000;

    /// <summary>The gateway's gRPC deadline for these runs: their timeout plus <c>Forwarding:DeadlineMargin</c> (35 s by default).</summary>
    private static readonly TimeSpan RunDeadline = TimeSpan.FromMilliseconds(RunTimeoutMs) + TimeSpan.FromSeconds(35);

    /// <summary>How long to wait for anything to happen (a busy two-core machine is slow, never this slow).</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Execute_OneOfTwoExecutorsKilledUnderLoad_InFlightRunsEndUnknownAndNoRunExecutesTwice()
    {
        var profile = FaultProfile.Current;
        await using var stack = await PhoenixStack.StartAsync(new PhoenixStackOptions
        {
            Executors = 2,
            // Either executor alone takes every caller (2 running + 6 waiting = 8 callers): no refusal for capacity after the kill.
            ExecutorArgs = ["--Phoenix:Executor:MaxConcurrentRuns=2", "--Phoenix:Executor:QueueLength=6"],
            // The circuit opens after 3 transport failures in a row (default) and stays open 5 s (default 10 s; shorter test).
            GatewayArgs = ["--Phoenix:Gateway:Forwarding:CircuitBreaker:BreakDuration=00:00:05"],
        });
        var victim = stack.Executors[0];
        var survivor = stack.Executors[1];
        var kills = new List<ExecutorKill>();

        await using var load = new LoadGenerator(stack.GatewayUrl);
        load.Start("test", Callers, stack.ApiKey, token => LoadGenerator.SleepRun(token, RunSeconds, RunTimeoutMs));
        try
        {
            for (var cycle = 0; cycle < profile.FaultCycles; cycle++)
            {
                var cycleStart = load.Now;
                await load.WaitForAsync(
                    r => r.Count(c => c.Succeeded && c.SentAt >= cycleStart && c.Executor == victim.Name) >= 2
                        && r.Count(c => c.Succeeded && c.SentAt >= cycleStart && c.Executor == survivor.Name) >= 2,
                    Patience,
                    "runs on both executors");
                await Task.Delay(profile.LoadAroundFault);

                // Kill while the victim has more calls in flight than it takes to open its circuit, and a run in a sandbox:
                // their failures open the circuit before the gateway's health check can take the victim out of the pool
                // (which would also stop new runs going there, but leave the circuit closed).
                await Eventually.TrueAsync(
                    async () => (await GatewayHealth.ReadAsync(stack.GatewayUrl)).InFlight(victim.Name) > CircuitThreshold && SandboxTokens.Read(victim.SandboxRoot).Count > 0,
                    Patience,
                    $"more than {CircuitThreshold} runs in flight on {victim.Name}, one in a sandbox",
                    TimeSpan.FromMilliseconds(10));
                var killing = load.Now;
                await victim.Process!.KillAsync();
                var killed = load.Now;
                var inSandbox = SandboxTokens.Read(victim.SandboxRoot); // nothing removes them now: exactly the runs it had in a sandbox

                await Eventually.TrueAsync(async () => (await GatewayHealth.ReadAsync(stack.GatewayUrl)).Circuit(victim.Name) == "open", Patience, "the circuit of " + victim.Name + " opens");
                var circuitOpen = load.Now;
                await Task.Delay(profile.LoadAroundFault);

                var restarting = load.Now;
                await victim.StartAsync();
                var restarted = load.Now;
                await load.WaitForAsync(r => r.Any(c => c.Succeeded && c.Executor == victim.Name && c.SentAt >= restarted), Patience, victim.Name + " runs again");
                var back = load.Records.Where(c => c.Succeeded && c.Executor == victim.Name && c.SentAt >= restarted).Min(c => c.EndedAt);
                kills.Add(new ExecutorKill(killing, killed, inSandbox, circuitOpen, restarting, restarted, back));
            }
        }
        finally
        {
            // A failure between a kill and its restart leaves the victim's workdirs mounted; its start-up removes them.
            if (victim.Process is { IsRunning: false })
            {
                await victim.StartAsync();
            }
        }

        await Task.Delay(profile.LoadAroundFault);
        await load.StopAsync();
        var records = load.Records;
        var audit = await AuditLog.ReadAllAsync(stack.GatewayUrl, stack.ApiKey);
        var survivorRuns = PrometheusText.Sum(await PrometheusText.ScrapeAsync(survivor.MetricsUrl), "phoenix_executor_runs_total") ?? 0;
        var victimRunsSinceRestart = PrometheusText.Sum(await PrometheusText.ScrapeAsync(victim.MetricsUrl), "phoenix_executor_runs_total") ?? 0;
        var health = await GatewayHealth.ReadAsync(stack.GatewayUrl);

        output.WriteLine($"profile {profile.Name}: {records.Count} calls, {records.Count(r => r.Succeeded)} succeeded, {records.Count(r => !r.Succeeded)} not");
        foreach (var kill in kills)
        {
            var inFlight = records.Where(kill.WasInFlight).ToList();
            output.WriteLine(
                $"  kill at {kill.Killed.TotalSeconds:F1}s: {kill.InSandbox.Count} run(s) in its sandboxes, {inFlight.Count(r => !r.Succeeded)} call(s) failed "
                + $"({string.Join(", ", inFlight.Where(r => !r.Succeeded).GroupBy(r => $"{r.HttpStatus} {r.ProblemCode}").Select(g => $"{g.Count()}× {g.Key}"))}), "
                + $"slowest answered after {(inFlight.Count == 0 ? 0 : inFlight.Max(r => (r.EndedAt - kill.Killing).TotalSeconds)):F2}s; "
                + $"circuit open after {(kill.CircuitOpen - kill.Killed).TotalSeconds:F1}s; restart took {(kill.Restarted - kill.Restarting).TotalSeconds:F1}s, "
                + $"first run on it {(kill.Back - kill.Restarted).TotalSeconds:F1}s after");
        }

        output.WriteLine($"  audit: {string.Join(", ", audit.GroupBy(a => (a.Status, a.Executor)).Select(g => $"{g.Key.Status} on {g.Key.Executor}: {g.Count()}"))}");
        output.WriteLine($"  executor counters: {survivor.Name} {survivorRuns}, {victim.Name} since its last start {victimRunsSinceRestart}");

        // Every call was answered: a run, or an error that says it may or may not have run — only for calls in flight on the killed executor.
        Assert.All(records, r => Assert.True(r.Answered, r.ToString()));
        foreach (var record in records.Where(r => !r.Succeeded))
        {
            Assert.True(record.HttpStatus is 503 or 504, record.ToString());
            Assert.True(record.MediaType == "application/problem+json" && record.ProblemStatus == record.HttpStatus && record.TraceId is { Length: 32 }, record.ToString());
            Assert.True(record.HttpStatus == 504 || record.IsWellFormedRetryableProblem, record.ToString());
            Assert.True(kills.Any(k => k.WasInFlight(record)), "failed without being in flight at a kill: " + record);
            Assert.True(record.EndedAt - record.SentAt <= RunDeadline, $"answered after its deadline ({RunDeadline}): {record}");
        }

        foreach (var kill in kills)
        {
            // The runs that were in a sandbox of the killed executor: none may have a result, here or elsewhere.
            Assert.NotEmpty(kill.InSandbox);
            foreach (var token in kill.InSandbox)
            {
                var record = Assert.Single(records, r => r.Token == token);
                Assert.True(record.HttpStatus is 503 or 504, "a run killed with its executor got " + record);
            }

            // Between the kill and the restart every new run went to the other executor.
            Assert.All(
                records.Where(r => r.SentAt > kill.Killed && r.SentAt < kill.Restarting),
                r => Assert.True(r.Succeeded && r.Executor == survivor.Name, r.ToString()));
        }

        // The audit trail: one record per call, all finished; a result exactly for the calls that got one; "unknown"
        // (on the killed executor) for the others, which the gateway did not send anywhere else.
        Assert.Equal(records.Count, audit.Count);
        Assert.Equal(audit.Count, audit.Select(a => a.RunId).Distinct(StringComparer.Ordinal).Count());
        var byRun = audit.ToDictionary(a => a.RunId, StringComparer.Ordinal);
        var byTrace = audit.ToDictionary(a => a.TraceId, StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.Succeeded)
            {
                Assert.True(byRun.TryGetValue(record.RunId!, out var entry), "not audited: " + record);
                Assert.Equal(("succeeded", record.Executor), (entry.Status, entry.Executor));
            }
            else
            {
                Assert.True(byTrace.TryGetValue(record.TraceId!, out var entry), "not audited: " + record);
                Assert.Equal(("unknown", victim.Name), (entry.Status, entry.Executor));
            }
        }

        // What the executors ran, by their own count: the survivor ran exactly what the audit credits it with (it never
        // stopped: its counter covers the whole test); the victim, since its last start, ran runs and no more than credited.
        Assert.Equal(audit.Count(a => a.Executed && a.Executor == survivor.Name), (int)survivorRuns);
        Assert.InRange((int)victimRunsSinceRestart, 1, audit.Count(a => a.Executed && a.Executor == victim.Name));
        Assert.Equal("closed", health.Circuit(victim.Name));
    }
}
