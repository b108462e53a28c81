using System.Globalization;
using System.Runtime.Versioning;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Sandbox.Hostile;

/// <summary>
/// <see cref="ExecutorHost.SandboxUidProcesses"/> minus the sandboxes of other test processes on the same
/// machine (another <c>dotnet test</c> of this assembly running at the same time uses the same host uid).
/// A sandbox process is attributed by walking up its parents through the sandbox uid: a run's bubblewrap
/// is a child of the executor that started it. Everything else counts as a survivor: a process whose
/// chain ends at this test process, and an orphan reparented to init or a subreaper.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class SandboxSurvivors
{
    private const string SandboxUid = "61000";

    public static IReadOnlyList<int> List() =>
        ExecutorHost.SandboxUidProcesses().Where(pid => !StartedByAnotherProcess(pid)).ToArray();

    private static bool StartedByAnotherProcess(int pid)
    {
        var current = pid;
        for (var depth = 0; depth < 64; depth++)
        {
            if (Status(current) is not { } status)
            {
                // Gone while we looked (only the listed process itself matters: it no longer exists).
                return current == pid;
            }

            var parent = int.Parse(Field(status, "PPid:").Split('\t', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
            if (parent <= 1 || Status(parent) is not { } parentStatus)
            {
                return false;
            }

            if (!Field(parentStatus, "Uid:").Split('\t', StringSplitOptions.RemoveEmptyEntries).Contains(SandboxUid))
            {
                // The first ancestor outside the sandbox uid: the executor that started this run, or a subreaper.
                return parent != Environment.ProcessId && IsDotnet(parent);
            }

            current = parent;
        }

        return false;
    }

    private static bool IsDotnet(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("dotnet", StringComparison.Ordinal)
                || File.ReadAllText($"/proc/{pid}/comm").Contains("testhost", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string[]? Status(int pid)
    {
        try
        {
            return File.ReadAllLines($"/proc/{pid}/status");
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

    private static string Field(string[] status, string name) =>
        status.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim() ?? string.Empty;
}
