using System.Globalization;

namespace Phoenix.Faults.Tests.Support;

/// <summary>Reads samples out of a Prometheus text exposition (<c>GET /metrics</c>).</summary>
internal static class PrometheusText
{
    /// <summary>Scrapes <paramref name="baseUrl"/><c>/metrics</c>.</summary>
    public static async Task<string> ScrapeAsync(Uri baseUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        return await http.GetStringAsync(new Uri(baseUrl, "metrics"));
    }

    /// <summary>
    /// The sum of the samples of <paramref name="metric"/> (exact name, e.g. <c>phoenix_executor_runs_total</c>) whose
    /// labels contain every one of <paramref name="labels"/> (<c>name="value"</c>); null when there is none.
    /// </summary>
    public static double? Sum(string text, string metric, params string[] labels)
    {
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || !line.StartsWith(metric, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line.AsSpan(metric.Length);
            if (rest.Length == 0 || (rest[0] != '{' && rest[0] != ' '))
            {
                continue; // a longer name with this prefix
            }

            var labelPart = rest[0] == '{' ? rest[..(rest.IndexOf('}') + 1)].ToString() : string.Empty;
            if (!labels.All(l => labelPart.Contains(l, StringComparison.Ordinal)))
            {
                continue;
            }

            var value = rest[labelPart.Length..].Trim().ToString().Split(' ')[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                sum = (sum ?? 0) + number;
            }
        }

        return sum;
    }
}
