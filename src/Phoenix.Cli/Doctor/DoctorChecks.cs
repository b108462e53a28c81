using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Phoenix.Cli.Common;

namespace Phoenix.Cli.Doctor;

/// <summary>
/// What Phoenix needs from this machine, checked for real: bubblewrap and util-linux, a sandbox that actually starts
/// as the sandbox user, user namespaces, cgroup v1 controllers, free ports, and private data directory permissions.
/// </summary>
internal sealed class DoctorChecks(string dataDir, IReadOnlyList<(string Name, int Port)> ports, string procRoot = "/proc", string cgroupRoot = "/sys/fs/cgroup")
{
    private const string SandboxUid = "61000";

    public IEnumerable<DoctorCheck> Run()
    {
        yield return Root();
        yield return Tool("bubblewrap", "/usr/bin/bwrap", "sudo apt-get install -y bubblewrap");
        yield return Tool("util-linux (setpriv, prlimit)", "/usr/bin/setpriv", "sudo apt-get install -y util-linux");
        yield return UserNamespaces();
        yield return Cgroups();
        yield return Sandbox();
        foreach (var (name, port) in ports)
        {
            yield return Port(name, port);
        }

        foreach (var check in DataDirectory())
        {
            yield return check;
        }
    }

    private static DoctorCheck Root() => Environment.IsPrivilegedProcess
        ? DoctorCheck.Pass("privileges", "running as root: the executor can create cgroups and drop each run to uid " + SandboxUid)
        : DoctorCheck.Fail("privileges", "not root: the executor needs root to create a cgroup per run and to switch to the sandbox user", "sudo phoenix up");

    private static DoctorCheck Tool(string name, string path, string fix) => File.Exists(path)
        ? DoctorCheck.Pass(name, path)
        : DoctorCheck.Fail(name, $"{path} is missing", fix);

    private DoctorCheck UserNamespaces()
    {
        const string name = "user namespaces";
        var max = Read(Path.Combine(procRoot, "sys/user/max_user_namespaces"));
        if (max is "0")
        {
            return DoctorCheck.Fail(name, "user.max_user_namespaces is 0", "sudo sysctl -w user.max_user_namespaces=15000");
        }

        if (Read(Path.Combine(procRoot, "sys/kernel/unprivileged_userns_clone")) is "0")
        {
            return DoctorCheck.Fail(name, "kernel.unprivileged_userns_clone is 0 (the sandbox user cannot create namespaces)", "sudo sysctl -w kernel.unprivileged_userns_clone=1");
        }

        if (Read(Path.Combine(procRoot, "sys/kernel/apparmor_restrict_unprivileged_userns")) is "1")
        {
            return DoctorCheck.Fail(name, "AppArmor restricts unprivileged user namespaces", "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0");
        }

        return DoctorCheck.Pass(name, max is null ? "available" : $"user.max_user_namespaces = {max}");
    }

    private DoctorCheck Cgroups()
    {
        const string name = "cgroup v1 controllers";
        var missing = new[] { "memory", "pids", "cpu" }.Where(c => !File.Exists(Path.Combine(cgroupRoot, c, "tasks"))).ToArray();
        if (missing.Length == 0)
        {
            return DoctorCheck.Pass(name, $"memory, pids and cpu mounted under {cgroupRoot}");
        }

        var unified = File.Exists(Path.Combine(cgroupRoot, "cgroup.controllers"));
        return DoctorCheck.Fail(
            name,
            unified
                ? "this machine uses the unified cgroup v2 hierarchy only; Phoenix's executor supports cgroup v1 controllers so far"
                : $"not mounted: {string.Join(", ", missing)}",
            unified
                ? "boot with systemd.unified_cgroup_hierarchy=0 (kernel command line), or run the executor on a cgroup v1 host"
                : string.Join(" && ", missing.Select(c => $"sudo mkdir -p {cgroupRoot}/{c} && sudo mount -t cgroup -o {c} {c} {cgroupRoot}/{c}")));
    }

    /// <summary>Starts a real (minimal) sandbox as the sandbox user: the namespaces, mounts and privilege drop a run needs.</summary>
    private static DoctorCheck Sandbox()
    {
        const string name = "sandbox start";
        if (!File.Exists("/usr/bin/bwrap") || !File.Exists("/usr/bin/setpriv"))
        {
            return DoctorCheck.Fail(name, "skipped: bubblewrap or setpriv is missing", "sudo apt-get install -y bubblewrap util-linux");
        }

        string[] bwrap = ["/usr/bin/bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "/usr/bin/true"];
        string[] command = Environment.IsPrivilegedProcess
            ? ["/usr/bin/setpriv", $"--reuid={SandboxUid}", $"--regid={SandboxUid}", "--clear-groups", "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", .. bwrap]
            : bwrap;
        var (exit, output) = RunProcess(command);
        return exit == 0
            ? DoctorCheck.Pass(name, Environment.IsPrivilegedProcess ? $"bubblewrap starts as uid {SandboxUid}" : "bubblewrap starts")
            : DoctorCheck.Fail(name, $"bubblewrap failed (exit {exit}): {output.Trim()}", "check the user namespace settings above, then run: phoenix doctor");
    }

    private static DoctorCheck Port(string name, int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return DoctorCheck.Pass($"port {port} ({name})", "free");
        }
        catch (SocketException)
        {
            return DoctorCheck.Fail($"port {port} ({name})", "in use (is Phoenix already running?)", $"ss -ltnp 'sport = :{port}'   # find what listens; or: phoenix up --{name} <other port>");
        }
    }

    private IEnumerable<DoctorCheck> DataDirectory()
    {
        const string name = "data directory";
        if (!Directory.Exists(dataDir))
        {
            yield return DoctorCheck.Pass(name, $"{dataDir} does not exist yet; 'phoenix up' creates it (mode 0700)");
            yield break;
        }

        var mode = File.GetUnixFileMode(dataDir);
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        yield return (mode & others) == 0
            ? DoctorCheck.Pass(name, $"{dataDir} is private ({Octal(mode)})")
            : DoctorCheck.Fail(name, $"{dataDir} is readable or writable by others ({Octal(mode)}): it holds the keys file and the audit database", $"chmod 700 {Quote(dataDir)}");
        foreach (var file in new[] { CliSettings.KeysFileName, CliSettings.DevKeyFileName })
        {
            var path = Path.Combine(dataDir, file);
            if (!File.Exists(path))
            {
                continue;
            }

            var fileMode = File.GetUnixFileMode(path);
            yield return (fileMode & others) == 0
                ? DoctorCheck.Pass(file, $"private ({Octal(fileMode)})")
                : DoctorCheck.Fail(file, $"{path} is readable or writable by others ({Octal(fileMode)})", $"chmod 600 {Quote(path)}");
        }
    }

    private static (int Exit, string Output) RunProcess(string[] command)
    {
        var info = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, "timed out");
            }

            return (process.ExitCode, error.Result + output.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static string? Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8);

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
