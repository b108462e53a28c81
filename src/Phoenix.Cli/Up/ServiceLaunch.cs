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

        // phoenix.deps.json describes every dependency of both services (native ones included, e.g. SQLite's); a
        // packed dotnet tool carries no deps.json of their own, without which their native libraries are not found.
        var deps = Path.Combine(AppContext.BaseDirectory, "phoenix.deps.json");
        var runtimeConfig = Path.ChangeExtension(path, ".runtimeconfig.json");
        string[] command = File.Exists(deps) && File.Exists(runtimeConfig)
            ? [DotnetHost(), "exec", "--depsfile", deps, "--runtimeconfig", runtimeConfig, path, .. arguments]
            : [DotnetHost(), path, .. arguments];
        return File.Exists("/usr/bin/setsid")
            ? new ServiceLaunch(name, "/usr/bin/setsid", command, environment, logFile)
            : new ServiceLaunch(name, command[0], command[1..], environment, logFile);
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
