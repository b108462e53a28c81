using System.Runtime.CompilerServices;

namespace Phoenix.Operations.Tests.Metrics;

/// <summary>
/// Files of the source tree the tests were built from (deploy/, docs/). Found through this file's compile-time path,
/// since the tests may run from an artifacts directory outside the tree.
/// </summary>
internal static class RepositoryFiles
{
    private static readonly Lazy<string> RootDirectory = new(() =>
    {
        for (var dir = new DirectoryInfo(SourceDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Phoenix.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Phoenix.slnx not found above {SourceDirectory()}.");
    });

    /// <summary>The repository root (holds Phoenix.slnx).</summary>
    public static string Root => RootDirectory.Value;

    /// <summary>deploy/prometheus/alerts.yml.</summary>
    public static string AlertRules => Combine("deploy", "prometheus", "alerts.yml");

    /// <summary>deploy/prometheus/tests: the promtool unit tests of the rules.</summary>
    public static string AlertRuleTests => Combine("deploy", "prometheus", "tests");

    /// <summary>deploy/grafana/phoenix.json.</summary>
    public static string Dashboard => Combine("deploy", "grafana", "phoenix.json");

    /// <summary>docs/alerts.md: one runbook entry per alert.</summary>
    public static string AlertRunbooks => Combine("docs", "alerts.md");

    /// <summary>A path under the root.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string SourceDirectory([CallerFilePath] string file = "") => Path.GetDirectoryName(file) ?? ".";
}
