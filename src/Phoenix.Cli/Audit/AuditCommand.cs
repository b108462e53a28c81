using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Phoenix.Cli.Common;
using Spectre.Console;

namespace Phoenix.Cli.Audit;

/// <summary><c>phoenix audit [--follow] [--key ID] [--status S] [--limit N] [--json]</c>: recent runs from the audit trail.</summary>
internal static class AuditCommand
{
    public static Command Create(CliConsole console, Func<ParseResult, CliSettings> settings, TimeProvider time)
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep watching: new runs and finished runs appear as they happen." };
        var key = new Option<string?>("--key") { Description = "Only runs of this key id." };
        var status = new Option<string?>("--status") { Description = "Only runs with this status (succeeded, failed, timed_out, …)." };
        var limit = new Option<int>("--limit", "-n") { Description = "How many of the most recent runs (1-500).", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "Print the records as JSON lines." };
        var interval = new Option<double>("--interval") { Description = "Seconds between polls with --follow.", DefaultValueFactory = _ => 1.0, Hidden = true };
        var command = new Command("audit", "Show recent runs from the audit trail (permission 'admin').") { follow, key, status, limit, json, interval };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new GatewayClient(settings(result));
            var query = Query(result.GetValue(key), result.GetValue(status), result.GetValue(limit));
            var shown = new Dictionary<string, string>(StringComparer.Ordinal);
            var asJson = result.GetValue(json);
            var records = await FetchAsync(client, query, cancellationToken);
            if (!asJson && !result.GetValue(follow) && records.Count == 0)
            {
                console.Err.MarkupLine("[grey]No runs recorded yet.[/]");
                return ExitCodes.Ok;
            }

            if (asJson)
            {
                PrintJson(console, records, shown);
            }
            else
            {
                PrintTable(console, records, shown);
            }

            if (!result.GetValue(follow))
            {
                return ExitCodes.Ok;
            }

            var pause = TimeSpan.FromSeconds(Math.Clamp(result.GetValue(interval), 0.1, 60));
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(pause, time, cancellationToken);
                    records = await FetchAsync(client, query, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (asJson)
                {
                    PrintJson(console, records, shown);
                }
                else
                {
                    PrintRows(console, records, shown);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Query(string? key, string? status, int limit)
    {
        var parts = new List<string> { "limit=" + Math.Clamp(limit, 1, 500).ToString(CultureInfo.InvariantCulture) };
        if (!string.IsNullOrEmpty(key))
        {
            parts.Add("key=" + Uri.EscapeDataString(key));
        }

        if (!string.IsNullOrEmpty(status))
        {
            parts.Add("status=" + Uri.EscapeDataString(status));
        }

        return "api/v1/audit?" + string.Join('&', parts);
    }

    /// <summary>The newest records, oldest first (so that a table reads top-down like a log).</summary>
    private static async Task<List<JsonElement>> FetchAsync(GatewayClient client, string query, CancellationToken cancellationToken)
    {
        using var page = await client.GetJsonAsync(query, cancellationToken);
        return [.. page.RootElement.GetProperty("records").EnumerateArray().Select(r => r.Clone()).Reverse()];
    }

    private static void PrintJson(CliConsole console, List<JsonElement> records, Dictionary<string, string> shown)
    {
        foreach (var record in records.Where(r => Changed(r, shown)))
        {
            console.OutWriter.WriteLine(record.GetRawText());
        }

        console.OutWriter.Flush();
    }

    private static void PrintTable(CliConsole console, List<JsonElement> records, Dictionary<string, string> shown)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("accepted (UTC)", "run", "key", "command", "status", "exit", "wall ms", "executor");
        foreach (var record in records.Where(r => Changed(r, shown)))
        {
            table.AddRow(Cells(record));
        }

        console.Out.Write(table);
    }

    /// <summary>With --follow: new runs, and runs whose status changed (accepted → finished), one line each.</summary>
    private static void PrintRows(CliConsole console, List<JsonElement> records, Dictionary<string, string> shown)
    {
        foreach (var record in records.Where(r => Changed(r, shown)))
        {
            console.Out.MarkupLine(string.Join("  ", Cells(record)));
        }
    }

    private static bool Changed(JsonElement record, Dictionary<string, string> shown)
    {
        var id = record.GetProperty("runId").GetString() ?? string.Empty;
        var status = record.GetProperty("status").GetString() ?? string.Empty;
        if (shown.TryGetValue(id, out var before) && before == status)
        {
            return false;
        }

        shown[id] = status;
        return true;
    }

    private static string[] Cells(JsonElement r)
    {
        var status = r.GetProperty("status").GetString() ?? "?";
        var color = status switch
        {
            "succeeded" => "green",
            "accepted" => "blue",
            "failed" => "yellow",
            _ => "red",
        };
        return
        [
            r.GetProperty("acceptedAt").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            Markup.Escape(r.GetProperty("runId").GetString() ?? string.Empty),
            Markup.Escape(r.GetProperty("keyId").GetString() ?? string.Empty),
            Markup.Escape(r.GetProperty("command").GetString() ?? string.Empty),
            $"[{color}]{Markup.Escape(status)}[/]",
            Number(r, "exitCode"),
            Number(r, "wallMs"),
            Markup.Escape(r.TryGetProperty("executor", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : string.Empty),
        ];
    }

    private static string Number(JsonElement r, string name) =>
        r.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : string.Empty;
}
