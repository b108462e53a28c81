using System.Runtime.Versioning;
using Phoenix.Operations.Tests.Kubernetes;

namespace Phoenix.Operations.Tests.Backup;

/// <summary>restore.sh's refusals, on a small audit database made with sqlite3 (no services needed).</summary>
[SupportedOSPlatform("linux")]
public sealed class RestoreScriptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("phoenix-restore-").FullName;

    private string DataDir => Path.Combine(_root, "data");

    private string BackupDir => Path.Combine(_root, "backup");

    [Fact]
    public async Task Restore_DataAlreadyThere_RefusesWithoutForceAndKeepsTheOldFilesWithIt()
    {
        await MakeBackupAsync();

        var refused = await BackupScripts.RestoreAsync("--from", BackupDir, "--data-dir", DataDir);

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("exists: restore with --force", refused.Stderr, StringComparison.Ordinal);
        var forced = await BackupScripts.RestoreAsync("--from", BackupDir, "--data-dir", DataDir, "--force");
        Assert.True(forced.ExitCode == 0, forced.Output);
        Assert.Single(Directory.GetFiles(DataDir, "audit.db.before-restore-*"));
        Assert.Single(Directory.GetFiles(DataDir, "keys.json.before-restore-*"));
    }

    [Fact]
    public async Task Restore_BackupChanged_RefusesOnTheChecksum()
    {
        await MakeBackupAsync();
        await File.AppendAllTextAsync(Path.Combine(BackupDir, "keys.json"), " ");

        var result = await BackupScripts.RestoreAsync("--from", BackupDir, "--data-dir", Path.Combine(_root, "new"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("checksums do not match", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "new")), "restore wrote before verifying");
    }

    [Fact]
    public async Task Restore_CorruptDatabaseWithMatchingChecksums_RefusesOnTheIntegrityCheck()
    {
        await MakeBackupAsync();
        var db = Path.Combine(BackupDir, "audit.db");
        var bytes = await File.ReadAllBytesAsync(db);
        for (var i = 4096; i < bytes.Length; i += 7)
        {
            bytes[i] ^= 0x5A;
        }

        await File.WriteAllBytesAsync(db, bytes);
        var sums = await ExternalCommand.RunAsync("sha256sum", ["audit.db", "keys.json", "manifest.txt"], TimeSpan.FromSeconds(30), BackupDir);
        await File.WriteAllTextAsync(Path.Combine(BackupDir, "SHA256SUMS"), sums.Stdout);

        var result = await BackupScripts.RestoreAsync("--from", BackupDir, "--data-dir", Path.Combine(_root, "new"));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches("integrity check|malformed|rows, the manifest says", result.Stderr);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task MakeBackupAsync()
    {
        Directory.CreateDirectory(DataDir);
        var sqlite = ExternalCommand.Require("sqlite3", "sqlite3");
        var values = string.Join(',', Enumerable.Range(0, 200).Select(i => $"('run-{i}', 'accepted', randomblob(64))"));
        var create = await ExternalCommand.RunAsync(sqlite, [Path.Combine(DataDir, "audit.db"),
            $"PRAGMA journal_mode=WAL; CREATE TABLE audit_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, event TEXT NOT NULL, pad BLOB); INSERT INTO audit_events (run_id, event, pad) VALUES {values};"],
            TimeSpan.FromSeconds(30));
        Assert.True(create.ExitCode == 0, create.Output);
        await File.WriteAllTextAsync(Path.Combine(DataDir, "keys.json"), """{"keys":[]}""");
        var backup = await BackupScripts.BackupAsync("--data-dir", DataDir, "--out", BackupDir);
        Assert.True(backup.ExitCode == 0, backup.Output);
    }
}
