using Phoenix.Cli.Common;

namespace Phoenix.Cli.Up;

/// <summary>How to start one Phoenix service: the dotnet host, the service's dll next to phoenix.dll, its arguments.</summary>
internal sealed record ServiceLaunch(string Name, string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Variables, string LogFile)
{
    /// <summary>
    /// <c>dotnet {dll} {args}</c>, in a session of its own (<c>setsid</c>) so that a Ctrl-C in the terminal reaches
    /// only <c>phoenix up</c>, which stops the gateway first and then the executor.
    /// </summary>
    public static ServiceLaunch ForDll(string name, string dll, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile)
    {
        var path = Path.Combine(AppContext.BaseDirectory, dll);
        if (!File.Exists(path))
        {
            throw new CliException($"{dll} is missing next to phoenix.dll ({AppContext.BaseDirectory}); rebuild Phoenix.", ExitCodes.Failed);
        }

        var host = DotnetHost();
        return File.Exists("/usr/bin/setsid")
            ? new ServiceLaunch(name, "/usr/bin/setsid", [host, path, .. arguments], environment, logFile)
            : new ServiceLaunch(name, host, [path, .. arguments], environment, logFile);
    }

    /// <summary>The dotnet host running this CLI, else <c>DOTNET_HOST_PATH</c>, else <c>dotnet</c> on PATH.</summary>
    private static string DotnetHost()
    {
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "dotnet");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new CliException("The dotnet host was not found on PATH; install the .NET runtime.", ExitCodes.Failed);
    }
}
