using System.Text.Json;
using System.Text.RegularExpressions;

namespace Phoenix.Operations.Tests.Metrics;

/// <summary>deploy/grafana/phoenix.json as the tests read it: its rows, queries and template variables.</summary>
internal sealed partial class GrafanaDashboard
{
    private GrafanaDashboard(JsonElement root) => Root = root;

    /// <summary>The dashboard's JSON.</summary>
    public JsonElement Root { get; }

    /// <summary>Every panel, those nested in collapsed rows included.</summary>
    public IEnumerable<JsonElement> Panels =>
        Root.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.TryGetProperty("panels", out var nested) ? nested.EnumerateArray().Prepend(p) : [p]);

    /// <summary>Every PromQL expression: panel targets, then the metric of each <c>label_values</c> variable.</summary>
    public IEnumerable<(string Where, string Expression)> Queries =>
        Panels
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => ($"panel '{p.GetProperty("title").GetString()}'", t.GetProperty("expr").GetString()!)))
            .Concat(Variables
                .Where(v => v.GetProperty("type").GetString() == "query")
                .Select(v => ($"variable '{v.GetProperty("name").GetString()}'", LabelValuesMetric(v.GetProperty("definition").GetString()!))));

    /// <summary>The template variables.</summary>
    public IEnumerable<JsonElement> Variables => Root.GetProperty("templating").GetProperty("list").EnumerateArray();

    public static GrafanaDashboard Load() => new(JsonDocument.Parse(File.ReadAllText(RepositoryFiles.Dashboard)).RootElement.Clone());

    /// <summary><paramref name="expression"/> with Grafana's variables replaced, as Prometheus can run it.</summary>
    public static string Runnable(string expression) =>
        Variable().Replace(Interval().Replace(expression, "1m"), ".*");

    // label_values(metric{…}, label) → metric{…}; anything else is a query already.
    private static string LabelValuesMetric(string definition) =>
        LabelValues().Match(definition) is { Success: true } match ? match.Groups[1].Value : definition;

    [GeneratedRegex(@"^\s*label_values\((.+),\s*\w+\s*\)\s*$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}")]
    private static partial Regex Interval();

    [GeneratedRegex(@"\$\{\w+(:\w+)?\}|\$\w+")]
    private static partial Regex Variable();
}
