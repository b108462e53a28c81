using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Phoenix.Cli.Common;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Phoenix.Cli.Vitals;

/// <summary><c>phoenix vitals [--once]</c>: a live table from the gateway's vitals stream (permission 'vitals').</summary>
internal static class VitalsCommand
{
    public static Command Create(CliConsole console, Func<ParseResult, CliSettings> settings)
    {
        var once = new Option<bool>("--once") { Description = "Print the first sample and exit." };
        var command = new Command("vitals", "Watch executors, circuits, request rate, errors and latency live.") { once };
        command.SetAction(async (result, cancellationToken) =>
        {
            using var client = new GatewayClient(settings(result));
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/sse/vitals");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await client.SendAsync(request, cancellationToken);
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var events = SseParser.Create(stream).EnumerateAsync(cancellationToken);
            var interactive = console.Out.Profile.Capabilities.Interactive && !result.GetValue(once);
            try
            {
                if (interactive)
                {
                    await console.Out.Live(new Text("waiting for the first sample…")).StartAsync(async live =>
                    {
                        await foreach (var item in events)
                        {
                            if (item.EventType == "vitals")
                            {
                                live.UpdateTarget(Render(item.Data));
                            }
                        }
                    });
                }
                else
                {
                    await foreach (var item in events)
                    {
                        if (item.EventType != "vitals")
                        {
                            continue;
                        }

                        console.Out.Write(Render(item.Data));
                        if (result.GetValue(once))
                        {
                            break;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>One sample as a table of executors under a line of request figures.</summary>
    public static IRenderable Render(string json)
    {
        using var document = JsonDocument.Parse(json);
        var v = document.RootElement;
        var latency = v.GetProperty("latencyMs");
        var headline = string.Create(CultureInfo.InvariantCulture,
            $"[bold]{v.GetProperty("at").GetDateTimeOffset().UtcDateTime:HH:mm:ss}[/] UTC  requests {v.GetProperty("requestRate").GetDouble():0.##}/s  errors {v.GetProperty("errorRate").GetDouble() * 100:0.##} %  latency p50 {Ms(latency, "p50")}  p95 {Ms(latency, "p95")}  p99 {Ms(latency, "p99")}");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("executor", "state", "circuit", "in flight", "capacity");
        foreach (var e in v.GetProperty("executors").EnumerateArray())
        {
            var state = e.GetProperty("state").GetString() ?? "?";
            var circuit = e.GetProperty("circuit").GetString() ?? "?";
            table.AddRow(
                Markup.Escape(e.GetProperty("name").GetString() ?? string.Empty),
                state.Equals("serving", StringComparison.OrdinalIgnoreCase) ? $"[green]{Markup.Escape(state)}[/]" : $"[red]{Markup.Escape(state)}[/]",
                circuit.Equals("closed", StringComparison.OrdinalIgnoreCase) ? $"[green]{Markup.Escape(circuit)}[/]" : $"[yellow]{Markup.Escape(circuit)}[/]",
                e.GetProperty("inFlight").GetInt32().ToString(CultureInfo.InvariantCulture),
                e.TryGetProperty("capacity", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetRawText() : "-");
        }

        return new Rows(new Markup(headline), table);
    }

    private static string Ms(JsonElement latency, string name) =>
        latency.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? string.Create(CultureInfo.InvariantCulture, $"{value.GetDouble():0.#} ms")
            : "-";
}
