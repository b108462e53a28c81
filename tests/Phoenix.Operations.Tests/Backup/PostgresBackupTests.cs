using System.Runtime.Versioning;
using Phoenix.Operations.Tests.Kubernetes;
using Phoenix.Testing;

namespace Phoenix.Operations.Tests.Backup;

/// <summary>
/// backup.sh --postgres and restore.sh --postgres against a real PostgreSQL: a private cluster on a loopback port with
/// password authentication (initdb + pg_ctl; tests/Phoenix.Gateway.Tests/Audit/PostgresCluster.cs does the same for
/// the audit store's own tests), the audit table in the gateway's schema.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PostgresBackupTests : IAsyncLifetime
{
    private const string Password = "backup-test-password";
    private readonly string _root = Path.Combine("/var/lib/phoenix-tests", "pg-backup-" + Guid.NewGuid().ToString("N"));
    private readonly int _port = FreePorts.Next();
    private string _bin = string.Empty;

    public async Task InitializeAsync()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run ./test.sh, which installs it.");
        ExternalCommand.Require("pg_dump", "postgresql-client");
        Directory.CreateDirectory(_root);
        await File.WriteAllTextAsync(Path.Combine(_root, "pw"), Password);
        await Check("chown", "-R", "postgres:postgres", _root);
        await AsPostgres(Path.Combine(_bin, "initdb"), "-D", Path.Combine(_root, "data"), "-U", "postgres", "--pwfile", Path.Combine(_root, "pw"), "-A", "scram-sha-256", "--no-sync");
        await AsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_root, "data"), "-w", "-t", "60", "-l", Path.Combine(_root, "log"),
            "-o", $"-p {_port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off", "start");
        foreach (var db in new[] { "phoenix", "phoenix_restored" })
        {
            await Psql("postgres", $"CREATE DATABASE {db}");
        }

        await Psql("phoenix", """
            CREATE TABLE audit_events (seq bigserial PRIMARY KEY, run_id text NOT NULL, event text NOT NULL, at timestamptz NOT NULL DEFAULT now(),
                                       key_id text NOT NULL, status text NOT NULL, UNIQUE (run_id, event));
            INSERT INTO audit_events (run_id, event, key_id, status) SELECT 'run-' || g, 'accepted', 'ci', 'accepted' FROM generate_series(1, 120) g;
            INSERT INTO audit_events (run_id, event, key_id, status) SELECT 'run-' || g, 'finished', 'ci', 'succeeded' FROM generate_series(1, 100) g;
            """);
    }

    public async Task DisposeAsync()
    {
        if (_bin.Length > 0 && Directory.Exists(Path.Combine(_root, "data")))
        {
            await AsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop");
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task BackupThenRestoreIntoAnotherDatabase_EveryRowBackAndAnExistingTableNeedsForce()
    {
        var keys = Path.Combine(_root, "keys.json");
        await File.WriteAllTextAsync(keys, """{"keys":[]}""");
        var backupDir = Path.Combine(_root, "backup");

        var backup = await BackupScripts.BackupAsync(["--postgres", ConnectionString("phoenix"), "--keys-file", keys, "--out", backupDir]);
        Assert.True(backup.ExitCode == 0, backup.Output);
        var restore = await BackupScripts.RestoreAsync(["--from", backupDir, "--postgres", ConnectionString("phoenix_restored"), "--keys-file", Path.Combine(_root, "restored-keys.json")]);
        Assert.True(restore.ExitCode == 0, restore.Output);

        const string Summary = "SELECT count(*) || ' ' || count(DISTINCT run_id) || ' ' || string_agg(run_id || event || status, ',' ORDER BY seq) FROM audit_events";
        Assert.Equal(await Psql("phoenix", Summary), await Psql("phoenix_restored", Summary));
        Assert.StartsWith("220 120 ", await Psql("phoenix_restored", Summary), StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllTextAsync(keys), await File.ReadAllTextAsync(Path.Combine(_root, "restored-keys.json")));
        var again = await BackupScripts.RestoreAsync(["--from", backupDir, "--postgres", ConnectionString("phoenix_restored"), "--keys-file", Path.Combine(_root, "other-keys.json")]);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already has an audit_events table", again.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, backup.Output + restore.Output + again.Output, StringComparison.Ordinal);
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Database={database};Username=postgres;Password={Password};Pooling=true";

    private async Task<string> Psql(string database, string sql)
    {
        var result = await ExternalCommand.RunAsync(ExternalCommand.Require("psql", "postgresql-client"),
            ["-h", "127.0.0.1", "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", "-d", database, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
            TimeSpan.FromSeconds(60), environment: new Dictionary<string, string> { ["PGPASSWORD"] = Password });
        Assert.True(result.ExitCode == 0, result.Output);
        return result.Stdout.Trim();
    }

    private static Task AsPostgres(string program, params string[] args) =>
        Environment.IsPrivilegedProcess ? Check("runuser", ["-u", "postgres", "--", program, .. args]) : Check(program, args);

    private static async Task Check(string program, params string[] args)
    {
        var result = await ExternalCommand.RunAsync(program, args, TimeSpan.FromSeconds(90), workingDirectory: "/");
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', args)}\n{result.Output}");
    }
}
