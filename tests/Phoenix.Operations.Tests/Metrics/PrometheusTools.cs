using System.Diagnostics;
using System.Runtime.Versioning;

namespace Phoenix.Operations.Tests.Metrics;

/// <summary>
/// Debian's <c>prometheus</c> package: the <c>prometheus</c> server and <c>promtool</c>. A missing tool fails the test
/// (never skips it) and says how to install it.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class PrometheusTools
{
    /// <summary>The Debian package that brings both tools.</summary>
    public const string Package = "prometheus";

    /// <summary>The absolute path of <paramref name="command"/>; fails the test when it is not installed.</summary>
    public static string Require(string command)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/bin"))
        {
            var candidate = Path.Combine(dir, command);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{command}' is not installed: run ./test.sh, or apt-get install -y {Package} (it brings prometheus and promtool).");
        return command;
    }

    /// <summary>Runs promtool with <paramref name="args"/> in <paramref name="workingDirectory"/>; killed after two minutes.</summary>
    public static async Task<ToolResult> PromtoolAsync(string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(Require("promtool"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("promtool did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"promtool {string.Join(' ', args)} ran longer than two minutes.");
        }

        return new ToolResult(process.ExitCode, $"promtool {string.Join(' ', args)} (exit {process.ExitCode})\n{await stdout}{await stderr}");
    }
}
