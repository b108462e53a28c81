using System.Collections.Frozen;

namespace Phoenix.Executor.Policy;

/// <summary>
/// The policy in force: the options plus each allowlisted command resolved to its absolute path on this
/// machine. Immutable; a reload builds a new one.
/// </summary>
/// <param name="Options">The validated options.</param>
/// <param name="Commands">Allowlisted name → absolute path, only for binaries that exist.</param>
/// <param name="Missing">Allowlisted names not found on this machine.</param>
internal sealed record ExecutionPolicy(PolicyOptions Options, FrozenDictionary<string, string> Commands, IReadOnlyList<string> Missing)
{
    /// <summary>Resolves every allowlisted name in the search paths (never through the service's own PATH).</summary>
    public static ExecutionPolicy Resolve(PolicyOptions options)
    {
        var commands = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var name in options.CommandsOrDefault.Distinct(StringComparer.Ordinal))
        {
            var path = options.SearchPathsOrDefault
                .Select(dir => Path.Join(dir, name))
                .FirstOrDefault(IsExecutableFile);
            if (path is null)
            {
                missing.Add(name);
            }
            else
            {
                commands[name] = path;
            }
        }

        return new ExecutionPolicy(options, commands.ToFrozenDictionary(StringComparer.Ordinal), missing);
    }

    private static bool IsExecutableFile(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && (info.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
