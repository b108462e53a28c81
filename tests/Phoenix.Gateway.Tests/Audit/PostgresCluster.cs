using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Npgsql;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>
/// A private, real PostgreSQL cluster: <c>initdb</c> into <c>/var/lib/phoenix-tests/pg-&lt;guid&gt;</c> (as the
/// <c>postgres</c> OS user when the tests run as root: initdb refuses root), then <c>pg_ctl start</c> listening on
/// 127.0.0.1 only, on a free port, with its socket in that directory. Authentication is <c>scram-sha-256</c> with
/// random passwords: the superuser <c>postgres</c> (administration) and <c>phoenix_audit</c>, a plain login role that
/// owns each database <see cref="CreateDatabaseAsync"/> makes (so the store runs as the table owner, as in production).
/// Dispose stops the server (<c>-m immediate</c>, then SIGKILL if it is still there) and deletes the directory; a
/// cluster whose test process died (owner.pid names a dead process) is stopped and removed by the next start.
/// Missing PostgreSQL fails the test (it is not skipped): <c>apt-get install -y postgresql</c>.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PostgresCluster : IAsyncDisposable
{
    public const string Role = "phoenix_audit";

    private const string Root = "/var/lib/phoenix-tests";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private readonly string _bin;
    private readonly string _adminPassword;

    private PostgresCluster(string directory, string bin, int port, string adminPassword, string rolePassword)
    {
        Directory = directory;
        _bin = bin;
        Port = port;
        _adminPassword = adminPassword;
        RolePassword = rolePassword;
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>The password of <see cref="Role"/>.</summary>
    public string RolePassword { get; }

    private string DataDirectory => Path.Join(Directory, "data");

    private static bool Privileged => Environment.IsPrivilegedProcess;

    public static async Task<PostgresCluster> StartAsync()
    {
        var installed = FindBinDirectory();
        await SweepStaleAsync(installed);
        var bin = installed ?? throw new InvalidOperationException(
            "PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb), and the PostgreSQL audit tests need a real server: "
            + "run `apt-get install -y postgresql` (test.sh installs it).");
        var directory = Path.Join(Root, "pg-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Join(directory, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var adminPassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var rolePassword = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var cluster = new PostgresCluster(directory, bin, 0, adminPassword, rolePassword);
        try
        {
            var started = await cluster.InitAndStartAsync();
            await started.CreateRoleAsync();
            return started;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string of the superuser to <paramref name="database"/>.</summary>
    public string AdminConnectionString(string database = "postgres") => ConnectionString(database, "postgres", _adminPassword);

    /// <summary>A connection string of <see cref="Role"/> (the owner) to <paramref name="database"/>.</summary>
    public string ConnectionString(string database) => ConnectionString(database, Role, RolePassword);

    /// <summary>A fresh, empty database owned by <see cref="Role"/>; answers its name.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "audit_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync();

        // Utility statements take no parameters; the name is ours (hex), not input.
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER {Role}", connection);
        await command.ExecuteNonQueryAsync();
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Join(DataDirectory, "PG_VERSION")))
        {
            await RunAsync(Path.Join(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop"], check: false);
        }

        KillPostmaster(DataDirectory);
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static string ConnectionString(int port, string database, string user, string password) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Database = database,
            Username = user,
            Password = password,
            Timeout = 10,
            CommandTimeout = 30,
        }.ConnectionString;

    private string ConnectionString(string database, string user, string password) => ConnectionString(Port, database, user, password);

    private async Task<PostgresCluster> InitAndStartAsync()
    {
        var passwordFile = Path.Join(Directory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, _adminPassword + "\n");
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Privileged)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", Directory]);
        }

        await RunAsync(Path.Join(_bin, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--pwfile", passwordFile, "-A", "scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"]);
        File.Delete(passwordFile);

        // The port is free when picked but could be taken before the server binds it: a few attempts.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var options = string.Create(CultureInfo.InvariantCulture,
                $"-p {port} -k {Directory} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=16MB");
            var (exit, output) = await RunAsync(Path.Join(_bin, "pg_ctl"),
                ["-D", DataDirectory, "-o", options, "-l", Path.Join(Directory, "server.log"), "-w", "-t", "60", "start"], check: false);
            if (exit == 0)
            {
                return new PostgresCluster(Directory, _bin, port, _adminPassword, RolePassword);
            }

            KillPostmaster(DataDirectory);
            if (attempt == 3)
            {
                var log = File.Exists(Path.Join(Directory, "server.log")) ? await File.ReadAllTextAsync(Path.Join(Directory, "server.log")) : string.Empty;
                throw new InvalidOperationException($"pg_ctl start failed ({exit}): {output}\n{log}");
            }
        }
    }

    private async Task CreateRoleAsync()
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString());
        await connection.OpenAsync();

        // Utility statements take no parameters; the password is ours (hex), not input.
        await using var command = new NpgsqlCommand($"CREATE ROLE {Role} LOGIN PASSWORD '{RolePassword}'", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, string[] arguments, bool check = true)
    {
        var start = new ProcessStartInfo(Privileged && file != "chown" ? "runuser" : file)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = "/",
        };
        if (Privileged && file != "chown")
        {
            foreach (var argument in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {CommandTimeout.TotalSeconds} s.");
        }

        var output = (await stdout) + (await stderr);
        if (check && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
        }

        return (process.ExitCode, output);
    }

    private static string? FindBinDirectory()
    {
        const string lib = "/usr/lib/postgresql";
        if (!System.IO.Directory.Exists(lib))
        {
            return null;
        }

        return System.IO.Directory.GetDirectories(lib)
            .Select(d => (Path: Path.Join(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(d => File.Exists(Path.Join(d.Path, "initdb")) && File.Exists(Path.Join(d.Path, "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Path)
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>SIGKILLs the postmaster named by postmaster.pid, if it is still a running postgres.</summary>
    private static void KillPostmaster(string dataDirectory)
    {
        var pidFile = Path.Join(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)
            || !int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !IsPostgres(pid))
        {
            return;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
    }

    private static bool IsPostgres(int pid)
    {
        var comm = Path.Join("/proc", pid.ToString(CultureInfo.InvariantCulture), "comm");
        try
        {
            return File.Exists(comm) && File.ReadAllText(comm).Trim() is "postgres" or "postmaster";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Stops and removes the clusters of test processes that died without disposing them.</summary>
    private static async Task SweepStaleAsync(string? bin)
    {
        if (!System.IO.Directory.Exists(Root))
        {
            return;
        }

        foreach (var directory in System.IO.Directory.GetDirectories(Root, "pg-*"))
        {
            var ownerFile = Path.Join(directory, "owner.pid");
            if (File.Exists(ownerFile)
                && int.TryParse(File.ReadAllText(ownerFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var owner)
                && System.IO.Directory.Exists(Path.Join("/proc", owner.ToString(CultureInfo.InvariantCulture))))
            {
                continue;
            }

            if (!File.Exists(ownerFile) && System.IO.Directory.GetCreationTimeUtc(directory) > DateTime.UtcNow.AddMinutes(-10))
            {
                continue; // Being created by another process right now (owner.pid is its first file).
            }

            var data = Path.Join(directory, "data");
            if (bin is not null && File.Exists(Path.Join(data, "postmaster.pid")))
            {
                await RunAsync(Path.Join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], check: false);
            }

            KillPostmaster(data);
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
