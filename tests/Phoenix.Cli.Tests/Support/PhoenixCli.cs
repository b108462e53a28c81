using System.Diagnostics;
using Phoenix.Cli.Common;

namespace Phoenix.Cli.Tests.Support;

/// <summary>What one <c>phoenix</c> invocation printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the real <c>phoenix</c> command: as a child process (<see cref="RunAsync"/>) or in-process (<see cref="RunInProcessAsync"/>).</summary>
public static class PhoenixCli
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "phoenix.dll");

    /// <summary><c>dotnet phoenix.dll {args}</c> with <paramref name="environment"/>; stdout and stderr kept apart.</summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("PHOENIX_API_KEY");
        info.Environment.Remove("PHOENIX_URL");
        info.Environment.Remove("PHOENIX_DATA_DIR");
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"phoenix {string.Join(' ', args)} did not finish. stdout: {await stdout} stderr: {await stderr}");
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The same command tree in this process, with captured output (for commands that need no gateway).</summary>
    public static async Task<CliResult> RunInProcessAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, new CliConsole(stdout, stderr), TimeProvider.System);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }
}
