using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Phoenix.Operations.Tests.Metrics;

namespace Phoenix.Operations.Tests.Alerts;

/// <summary>
/// deploy/prometheus/alerts.yml checked and unit-tested by the real promtool, and held to the rules of the runbook:
/// every alert has a severity, a summary, a description and a runbook entry in docs/alerts.md, and is unit-tested both
/// firing and staying quiet.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class AlertRulesTests(AlertRulesFixture fixture) : IClassFixture<AlertRulesFixture>
{
    /// <summary>The alerts the issue asks for: the seed's thresholds, the operational ones and the SLO burn rates.</summary>
    public static TheoryData<string> RequiredAlerts =>
    [
        "PhoenixApiErrorRateHigh",
        "PhoenixApiLatencyHigh",
        "PhoenixAuthFailuresHigh",
        "PhoenixExecutorSlotsHigh",
        "PhoenixProcessMemoryHigh",
        "PhoenixProcessCpuHigh",
        "PhoenixCircuitOpen",
        "PhoenixExecutorQueueSaturated",
        "PhoenixNoHealthyExecutor",
        "PhoenixErrorBudgetBurn1h",
        "PhoenixErrorBudgetBurn6h",
        "PhoenixErrorBudgetBurn1d",
        "PhoenixErrorBudgetBurn3d",
    ];

    [Fact]
    public async Task PromtoolCheckRules_AlertsFile_Succeeds()
    {
        var result = await PrometheusTools.PromtoolAsync(RepositoryFiles.Root, "check", "rules", RepositoryFiles.AlertRules);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Fact]
    public async Task PromtoolTestRules_EveryTestFile_Passes()
    {
        var files = TestFiles();
        Assert.NotEmpty(files);

        var result = await PrometheusTools.PromtoolAsync(RepositoryFiles.AlertRuleTests, ["test", "rules", .. files]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Theory]
    [MemberData(nameof(RequiredAlerts))]
    public void Alerts_RequiredAlert_Defined(string alert) =>
        Assert.Contains(fixture.Alerts, a => a.Name == alert);

    [Fact]
    public void Alerts_EveryAlert_HasSeveritySummaryDescriptionAndRunbookEntry()
    {
        var anchors = RunbookHeadings().Select(Anchor).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var alert in fixture.Alerts)
        {
            if (alert.Labels.GetValueOrDefault("severity") is not ("critical" or "warning"))
            {
                problems.Add($"{alert.Name}: severity must be critical or warning, is '{alert.Labels.GetValueOrDefault("severity")}'");
            }

            foreach (var annotation in new[] { "summary", "description" })
            {
                if (string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault(annotation)))
                {
                    problems.Add($"{alert.Name}: no {annotation}");
                }
            }

            var expected = "docs/alerts.md#" + Anchor(alert.Name);
            if (alert.Annotations.GetValueOrDefault("runbook_url") != expected)
            {
                problems.Add($"{alert.Name}: runbook_url should be {expected}, is '{alert.Annotations.GetValueOrDefault("runbook_url")}'");
            }
            else if (!anchors.Contains(Anchor(alert.Name)))
            {
                problems.Add($"{alert.Name}: docs/alerts.md has no heading '## {alert.Name}'");
            }
        }

        Assert.NotEmpty(fixture.Alerts);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void Runbooks_EveryAlertHeading_NamesAnAlert()
    {
        var alerts = fixture.Alerts.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);

        var orphans = RunbookHeadings().Where(h => h.StartsWith("Phoenix", StringComparison.Ordinal) && !alerts.Contains(h)).ToList();

        Assert.True(orphans.Count == 0, "Runbook entries without an alert: " + string.Join(", ", orphans));
    }

    [Fact]
    public void UnitTests_EveryAlert_TestedFiringAndQuiet()
    {
        var firing = new HashSet<string>(StringComparer.Ordinal);
        var quiet = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in TestFiles())
        {
            foreach (Match check in AlertCheck().Matches(File.ReadAllText(file)))
            {
                (check.Groups["quiet"].Success ? quiet : firing).Add(check.Groups["alert"].Value);
            }
        }

        var untested = fixture.Alerts
            .SelectMany(a => new[] { firing.Contains(a.Name) ? null : $"{a.Name} never fires", quiet.Contains(a.Name) ? null : $"{a.Name} is never shown quiet" })
            .OfType<string>()
            .ToList();
        Assert.True(untested.Count == 0, "deploy/prometheus/tests lacks:\n" + string.Join('\n', untested));
    }

    private static string[] TestFiles() => [.. Directory.GetFiles(RepositoryFiles.AlertRuleTests, "*.yml").Order(StringComparer.Ordinal)];

    /// <summary>The level-2 headings of docs/alerts.md.</summary>
    private static IEnumerable<string> RunbookHeadings()
    {
        Assert.True(File.Exists(RepositoryFiles.AlertRunbooks), "docs/alerts.md is missing.");
        return File.ReadLines(RepositoryFiles.AlertRunbooks).Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..].Trim());
    }

    /// <summary>The anchor GitHub and most Markdown renderers give a heading.</summary>
    private static string Anchor(string heading) =>
        NotAnchorCharacter().Replace(heading.Trim().ToLowerInvariant(), string.Empty).Replace(' ', '-');

    [GeneratedRegex(@"[^a-z0-9 _-]")]
    private static partial Regex NotAnchorCharacter();

    // In the test files: "alertname: X" followed by "exp_alerts: []" (stays quiet) or by a list (fires).
    [GeneratedRegex(@"alertname:\s*(?<alert>\w+)\s*\n\s*exp_alerts:\s*(?<quiet>\[\])?")]
    private static partial Regex AlertCheck();
}
