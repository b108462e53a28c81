using System.CommandLine;
using System.Text.Json;
using Phoenix.Cli.Common;
using Phoenix.Gateway.Auth;
using Spectre.Console;

namespace Phoenix.Cli.Keys;

/// <summary><c>phoenix keys create|list|disable|enable|rotate</c>: edits the keys file that a running gateway reloads.</summary>
internal static class KeysCommand
{
    public static Command Create(CliConsole console, Option<string?> dataDir, TimeProvider time)
    {
        var keysFile = new Option<string?>("--keys-file") { Description = "The keys file (default: keys.json in the data directory)." };
        var command = new Command("keys", "Create, list, disable and rotate API keys (the running gateway picks changes up within seconds).");
        command.Options.Add(keysFile);
        keysFile.Recursive = true;

        KeysFileStore Store(ParseResult result) => new(
            result.GetValue(keysFile) is { Length: > 0 } path ? Path.GetFullPath(path)
                : Path.Combine(CliSettings.ResolveDataDir(result.GetValue(dataDir), CliSettings.ProcessEnvironment()), CliSettings.KeysFileName),
            time);

        var name = new Option<string>("--name") { Description = "What the key is for (shown in lists and logs).", Required = true };
        var id = new Option<string?>("--id") { Description = "Its id (default: made from the name)." };
        var permissions = new Option<string[]>("--permissions", "-p")
        {
            Description = $"Permissions, comma separated or repeated ({string.Join(", ", Permissions.All)}). Default: execute.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [Permissions.Execute],
        };
        var rateLimit = new Option<int?>("--rate-limit") { Description = "Requests per minute for this key (default: the gateway's limit)." };
        var expires = new Option<TimeSpan?>("--expires-in") { Description = "Expiry from now, e.g. 30.00:00:00 for 30 days (default: never)." };
        var create = new Command("create", "Create a key and print it once: only its hash is stored.") { name, id, permissions, rateLimit, expires };
        create.SetAction(result =>
        {
            var list = result.GetValue(permissions)!.SelectMany(p => p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal).ToArray();
            var (entry, key) = Store(result).Create(result.GetValue(id), result.GetValue(name)!, list, result.GetValue(rateLimit), result.GetValue(expires));
            PrintSecret(console, $"Created key '{entry.Id}' ({string.Join(", ", entry.Permissions)}).", key);
            return ExitCodes.Ok;
        });

        var json = new Option<bool>("--json") { Description = "Print JSON (no hashes) instead of a table." };
        var list = new Command("list", "List the keys (never their secrets or hashes).") { json };
        list.SetAction(result =>
        {
            var file = Store(result).Load();
            var now = time.GetUtcNow();
            if (result.GetValue(json))
            {
                var rows = file.Keys.Select(k => new KeyRow(k.Id, k.Name, k.Permissions, k.RateLimitPerMinute, State(k, now), k.ExpiresAt));
                console.OutWriter.WriteLine(JsonSerializer.Serialize(rows, CliJsonContext.Default.IEnumerableKeyRow));
                return ExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "name", "permissions", "rate/min", "state", "expires");
            foreach (var key in file.Keys)
            {
                var state = State(key, now);
                table.AddRow(
                    Markup.Escape(key.Id),
                    Markup.Escape(key.Name ?? string.Empty),
                    Markup.Escape(string.Join(",", key.Permissions)),
                    key.RateLimitPerMinute?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default",
                    state == "active" ? "[green]active[/]" : $"[red]{state}[/]",
                    key.ExpiresAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "never");
            }

            console.Out.Write(table);
            return ExitCodes.Ok;
        });

        var disableId = new Argument<string>("id") { Description = "The key's id." };
        var disable = new Command("disable", "Disable a key: calls with it fail with 401 once the gateway reloads (within seconds).") { disableId };
        disable.SetAction(result =>
        {
            var entry = Store(result).SetDisabled(result.GetValue(disableId)!, disabled: true);
            console.Err.MarkupLine($"Disabled key '{Markup.Escape(entry.Id)}'.");
            return ExitCodes.Ok;
        });

        var enableId = new Argument<string>("id") { Description = "The key's id." };
        var enable = new Command("enable", "Enable a disabled key again.") { enableId };
        enable.SetAction(result =>
        {
            var entry = Store(result).SetDisabled(result.GetValue(enableId)!, disabled: false);
            console.Err.MarkupLine($"Enabled key '{Markup.Escape(entry.Id)}'.");
            return ExitCodes.Ok;
        });

        var rotateId = new Argument<string>("id") { Description = "The key's id." };
        var rotate = new Command("rotate", "Give a key a new secret and print it once; the old secret stops working when the gateway reloads.") { rotateId };
        rotate.SetAction(result =>
        {
            var (entry, key) = Store(result).Rotate(result.GetValue(rotateId)!);
            PrintSecret(console, $"Rotated key '{entry.Id}': the old secret no longer works.", key);
            return ExitCodes.Ok;
        });

        command.Subcommands.Add(create);
        command.Subcommands.Add(list);
        command.Subcommands.Add(disable);
        command.Subcommands.Add(enable);
        command.Subcommands.Add(rotate);
        return command;
    }

    /// <summary>The key itself goes to stdout alone (for <c>KEY=$(phoenix keys create …)</c>); the explanation to stderr.</summary>
    private static void PrintSecret(CliConsole console, string message, string key)
    {
        console.Err.MarkupLine(Markup.Escape(message));
        console.Err.MarkupLine("[yellow]This is the only time the key is shown; store it now.[/]");
        console.OutWriter.WriteLine(key);
    }

    private static string State(ApiKeyEntry key, DateTimeOffset now) =>
        key.Disabled ? "disabled" : key.IsActive(now) ? "active" : "expired";
}

/// <summary>A key as <c>phoenix keys list --json</c> shows it.</summary>
internal sealed record KeyRow(string Id, string? Name, IReadOnlyList<string> Permissions, int? RateLimitPerMinute, string State, DateTimeOffset? ExpiresAt);
