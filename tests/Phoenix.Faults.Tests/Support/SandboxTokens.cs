namespace Phoenix.Faults.Tests.Support;

/// <summary>
/// The tokens of the runs whose sandbox is still in an executor's sandbox root: each run of <see cref="LoadGenerator.SleepRun"/>
/// writes its token to the file <c>token</c> of its workdir (<c>run-*</c>, a tmpfs). After a SIGKILL nothing removes
/// them until the executor starts again, so right after the kill they name exactly the runs that were in a sandbox
/// (waiting warm sandboxes hold no token and are skipped).
/// </summary>
internal static class SandboxTokens
{
    public static IReadOnlySet<string> Read(string sandboxRoot)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(sandboxRoot))
        {
            return tokens;
        }

        foreach (var dir in Directory.EnumerateDirectories(sandboxRoot, "run-*"))
        {
            var file = Path.Join(dir, "token");
            try
            {
                if (File.Exists(file))
                {
                    tokens.Add(File.ReadAllText(file));
                }
            }
            catch (IOException)
            {
                // removed while we looked (cannot happen once the executor is dead)
            }
        }

        return tokens;
    }
}
