using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Phoenix.Cli.Common;
using Spectre.Console;

namespace Phoenix.Cli.Exec;

/// <summary>
/// <c>phoenix exec [options] -- COMMAND ARGS...</c>: runs a command through the gateway, streams its stdout and
/// stderr live, prints the status and usage to stderr, and exits with the command's exit code (124 on timeout).
/// </summary>
internal static class ExecCommand
{
    public static Command Create(CliConsole console, Func<ParseResult, CliSettings> settings)
    {
        var timeout = new Option<double?>("--timeout", "-t") { Description = "Time limit in seconds (default: the gateway's)." };
        var memory = new Option<int?>("--memory", "-m") { Description = "Memory limit in MiB." };
        var cpu = new Option<int?>("--cpu") { Description = "CPU limit in percent of one core." };
        var processes = new Option<int?>("--processes") { Description = "Process limit." };
        var files = new Option<string[]>("--file", "-f") { Description = "Copy LOCAL into the sandbox's working directory (as REMOTE). Repeatable.", HelpName = "LOCAL[:REMOTE]" };
        var stdin = new Option<bool>("--stdin", "-i") { Description = "Send this terminal's standard input to the command." };
        var env = new Option<string[]>("--env", "-e") { Description = "Set an environment variable. Repeatable.", HelpName = "NAME=VALUE" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory inside the sandbox (relative)." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print the status line at the end." };
        var commandLine = new Argument<string[]>("command") { Description = "The command and its arguments (after --).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "Run a command in a Phoenix sandbox and stream its output.")
        {
            timeout, memory, cpu, processes, files, stdin, env, workdir, quiet, commandLine,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var request = ExecRequest.Build(
                result.GetValue(commandLine) ?? [],
                result.GetValue(env) ?? [],
                result.GetValue(files) ?? [],
                result.GetValue(stdin) ? await Console.In.ReadToEndAsync(cancellationToken) : null,
                result.GetValue(workdir),
                ExecLimits.From(result.GetValue(timeout), result.GetValue(memory), result.GetValue(cpu), result.GetValue(processes)));
            using var client = new GatewayClient(settings(result));
            return await RunAsync(client, request, console, result.GetValue(quiet), cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(GatewayClient client, ExecRequest request, CliConsole console, bool quiet, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(request, CliJsonContext.Default.ExecRequest);
        using var message = new HttpRequestMessage(HttpMethod.Post, "api/v1/execute/stream")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(message, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            switch (item.EventType)
            {
                case "stdout":
                    await WriteChunkAsync(console.OutWriter, item.Data, cancellationToken);
                    break;
                case "stderr":
                    await WriteChunkAsync(console.ErrWriter, item.Data, cancellationToken);
                    break;
                case "result":
                    using (var result = JsonDocument.Parse(item.Data))
                    {
                        if (!quiet)
                        {
                            console.Err.MarkupLine(Summary(result.RootElement));
                        }

                        return ExitCode(result.RootElement);
                    }

                case "error":
                    using (var problem = JsonDocument.Parse(item.Data))
                    {
                        var root = problem.RootElement;
                        var text = root.TryGetProperty("title", out var title) ? title.GetString() : "The run failed";
                        if (root.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } d)
                        {
                            text += ": " + d;
                        }

                        throw new CliException(text!);
                    }
            }
        }

        throw new CliException("The gateway closed the stream before the run's result arrived; see 'phoenix audit' for its outcome.");
    }

    /// <summary>The command's exit code; 124 timed out, 128+n killed by signal n, 125 when the sandbox failed.</summary>
    public static int ExitCode(JsonElement result)
    {
        var status = result.GetProperty("status").GetString();
        if (status == "timed_out")
        {
            return ExitCodes.TimedOut;
        }

        if (status == "sandbox_error")
        {
            return ExitCodes.PhoenixError;
        }

        if (result.TryGetProperty("exitCode", out var exit) && exit.ValueKind == JsonValueKind.Number)
        {
            return exit.GetInt32();
        }

        if (result.TryGetProperty("signal", out var signal) && signal.ValueKind == JsonValueKind.Number)
        {
            return ExitCodes.Signal(signal.GetInt32());
        }

        return status == "memory_limit" ? ExitCodes.Signal(9) : ExitCodes.PhoenixError;
    }

    /// <summary>One line: status, exit code, usage, executor and run id.</summary>
    public static string Summary(JsonElement result)
    {
        var status = result.GetProperty("status").GetString() ?? "?";
        var color = status == "succeeded" ? "green" : "red";
        var parts = new List<string> { $"[{color}]{Markup.Escape(status)}[/]" };
        if (result.TryGetProperty("exitCode", out var exit) && exit.ValueKind == JsonValueKind.Number)
        {
            parts.Add($"exit {exit.GetInt32()}");
        }

        if (result.TryGetProperty("signal", out var signal) && signal.ValueKind == JsonValueKind.Number)
        {
            parts.Add($"signal {signal.GetInt32()}");
        }

        if (result.TryGetProperty("usage", out var usage))
        {
            parts.Add($"{usage.GetProperty("wallMs").GetInt64()} ms wall");
            parts.Add($"{usage.GetProperty("cpuMs").GetInt64()} ms cpu");
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{usage.GetProperty("peakMemoryBytes").GetInt64() / 1_048_576.0:0.0} MiB peak"));
        }

        foreach (var (field, label) in new[] { ("stdoutTruncated", "stdout truncated"), ("stderrTruncated", "stderr truncated") })
        {
            if (result.TryGetProperty(field, out var truncated) && truncated.ValueKind == JsonValueKind.True)
            {
                parts.Add($"[yellow]{label}[/]");
            }
        }

        if (result.TryGetProperty("executor", out var executor) && executor.GetString() is { } name)
        {
            parts.Add(Markup.Escape(name));
        }

        if (result.TryGetProperty("id", out var id) && id.GetString() is { } runId)
        {
            parts.Add("run " + Markup.Escape(runId));
        }

        return "[grey]phoenix:[/] " + string.Join(" [grey]·[/] ", parts);
    }

    private static async Task WriteChunkAsync(TextWriter writer, string data, CancellationToken cancellationToken)
    {
        var text = JsonSerializer.Deserialize(data, CliJsonContext.Default.String) ?? string.Empty;
        await writer.WriteAsync(text.AsMemory(), cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }
}
