using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Phoenix.Testing;

namespace Phoenix.Operations.Tests.Backup;

/// <summary>
/// The disaster-recovery drill of docs/operations.md against a real gateway and executor: back up while runs are being
/// audited, lose the data, restore, start the gateway on the restored data.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class BackupRestoreTests
{
    [Fact]
    public async Task BackupWhileServing_DataLostThenRestored_EveryAuditRecordBackAndKeysWork()
    {
        var root = Directory.CreateTempSubdirectory("phoenix-dr-").FullName;
        // The executors' sandbox roots live in the data directory: the sandbox uid must traverse it.
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var dataDir = Path.Combine(root, "data");
        Directory.CreateDirectory(dataDir);
        File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        var backupDir = Path.Combine(root, "backup");
        try
        {
            await using var stack = await PhoenixStack.StartAsync(new PhoenixStackOptions { DataDir = dataDir });
            for (var i = 0; i < 5; i++)
            {
                await RunAsync(stack, i);
            }

            var beforeBackup = await AuditAsync(stack);
            Assert.Equal(5, beforeBackup.Count);

            // Runs keep being audited while the backup reads the database.
            using var stop = new CancellationTokenSource();
            var traffic = Task.Run(async () =>
            {
                var n = 100;
                while (!stop.IsCancellationRequested)
                {
                    await RunAsync(stack, n++);
                }
            });
            await Task.Delay(300);
            var backup = await BackupScripts.BackupAsync("--data-dir", dataDir, "--out", backupDir);
            await Task.Delay(300);
            await stop.CancelAsync();
            await traffic;
            Assert.True(backup.ExitCode == 0, backup.Output);
            var afterBackup = await AuditAsync(stack);
            Assert.True(afterBackup.Count > beforeBackup.Count, "no run was audited while the backup ran");
            var manifest = Manifest(backupDir);

            // Disaster: the gateway stops and its data is gone.
            Assert.True(await stack.Gateway!.StopAsync(TimeSpan.FromSeconds(30)), "the gateway did not stop on SIGTERM");
            foreach (var file in Directory.GetFiles(dataDir).Where(f => Path.GetFileName(f).StartsWith("audit.db", StringComparison.Ordinal) || Path.GetFileName(f) == "keys.json"))
            {
                File.Delete(file);
            }

            var restore = await BackupScripts.RestoreAsync("--from", backupDir, "--data-dir", dataDir);
            Assert.True(restore.ExitCode == 0, restore.Output);
            await stack.StartGatewayAsync();

            // The key of the lost keys file authenticates again, and the restored trail is the backed-up one.
            var restored = await AuditAsync(stack);
            Assert.Equal(int.Parse(manifest["audit.runs"], System.Globalization.CultureInfo.InvariantCulture), restored.Count);
            Assert.Subset(afterBackup.Keys.ToHashSet(), restored.Keys.ToHashSet());
            Assert.Superset(beforeBackup.Keys.ToHashSet(), restored.Keys.ToHashSet());
            foreach (var (id, record) in beforeBackup)
            {
                Assert.Equal(record, restored[id]);
            }

            using var run = await stack.ExecuteAsync("echo", "after restore");
            Assert.True(run.StatusCode == HttpStatusCode.OK, await run.Content.ReadAsStringAsync());
            Assert.Equal(restored.Count + 1, (await AuditAsync(stack)).Count);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task RunAsync(PhoenixStack stack, int n)
    {
        using var response = await stack.ExecuteAsync("echo", $"run {n}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every audit record (all pages of GET /api/v1/audit), by run id, as its JSON text.</summary>
    private static async Task<Dictionary<string, string>> AuditAsync(PhoenixStack stack)
    {
        var records = new Dictionary<string, string>();
        string? cursor = null;
        do
        {
            using var response = await stack.Http.GetAsync("api/v1/audit?limit=500" + (cursor is null ? string.Empty : "&before=" + Uri.EscapeDataString(cursor)));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            using var page = JsonDocument.Parse(body);
            foreach (var record in page.RootElement.GetProperty("records").EnumerateArray())
            {
                records.Add(record.GetProperty("runId").GetString()!, record.GetRawText());
            }

            cursor = page.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
        return records;
    }

    private static Dictionary<string, string> Manifest(string backupDir) =>
        File.ReadAllLines(Path.Combine(backupDir, "manifest.txt"))
            .Select(line => line.Split('=', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);
}
