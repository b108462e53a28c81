using System.Runtime.Versioning;
using Phoenix.Operations.Tests.Kubernetes;

namespace Phoenix.Operations.Tests.Backup;

/// <summary>deploy/backup/backup.sh and restore.sh, run as an operator would, with the tools they need checked first.</summary>
[SupportedOSPlatform("linux")]
internal static class BackupScripts
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs backup.sh with <paramref name="args"/>.</summary>
    public static Task<CommandResult> BackupAsync(params string[] args) => RunAsync("backup.sh", args);

    /// <summary>Runs restore.sh with <paramref name="args"/>.</summary>
    public static Task<CommandResult> RestoreAsync(params string[] args) => RunAsync("restore.sh", args);

    private static Task<CommandResult> RunAsync(string script, string[] args)
    {
        ExternalCommand.Require("sqlite3", "sqlite3");
        ExternalCommand.Require("sha256sum", "coreutils");
        return ExternalCommand.RunAsync(RepositoryRoot.Combine("deploy", "backup", script), args, Timeout);
    }
}
