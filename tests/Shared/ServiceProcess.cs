using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Phoenix.Testing;

/// <summary>
/// One Phoenix service (or any dotnet app next to the test assembly) run as a real child process: output captured,
/// stopped with SIGTERM or killed with SIGKILL, never left behind.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private ServiceProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    /// <summary>A label for messages.</summary>
    public string Name { get; }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Exit code once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything written to stdout and stderr so far (interleaved by line).</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>The output lines so far.</summary>
    public IReadOnlyCollection<string> Lines => _lines.ToArray();

    /// <summary>
    /// Starts <c>dotnet {dll} {args}</c>, where <paramref name="dll"/> is resolved next to the test assembly
    /// (a project reference to an Exe project copies it there) unless it is rooted.
    /// </summary>
    public static ServiceProcess StartDll(string dll, IEnumerable<string> args, IDictionary<string, string?>? environment = null, string? name = null, string? workingDirectory = null)
    {
        var path = Path.IsPathRooted(dll) ? dll : Path.Combine(AppContext.BaseDirectory, dll);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{dll} is not next to the test assembly; add a ProjectReference to its project.", path);
        }

        return Start("dotnet", [path, .. args], environment, name ?? Path.GetFileNameWithoutExtension(dll), workingDirectory);
    }

    /// <summary>Starts any program with its output captured.</summary>
    public static ServiceProcess Start(string fileName, IEnumerable<string> args, IDictionary<string, string?>? environment = null, string? name = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // A child must not inherit the test host's OTLP or environment settings by accident.
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
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

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var service = new ServiceProcess(process, name ?? Path.GetFileName(fileName));
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { service._lines.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { service._lines.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Writes to the process's stdin.</summary>
    public async Task WriteInputAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Closes the process's stdin.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends a signal (e.g. <see cref="Signals.Term"/>, <see cref="Signals.Int"/>).</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            _ = Kill(_process.Id, signal);
        }
    }

    /// <summary>SIGKILL, and waits for the exit.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Waits for the exit; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM, then SIGKILL when it has not exited within <paramref name="grace"/>. Returns whether it exited on its own.</summary>
    public async Task<bool> StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return true;
        }

        Signal(Signals.Term);
        if (await WaitForExitAsync(grace ?? TimeSpan.FromSeconds(30)))
        {
            return true;
        }

        await KillAsync();
        return false;
    }

    /// <summary>Waits until a line of output contains <paramref name="text"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name} did not print '{text}' within {timeout}. Output:\n{Tail()}");
            }

            if (_process.HasExited && !_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                await Task.Delay(100); // let the output readers drain
                if (!_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
                {
                    throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before printing '{text}'. Output:\n{Tail()}");
                }
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Polls <paramref name="url"/> until it answers 2xx (and <paramref name="accept"/> agrees with the body).</summary>
    public async Task WaitForHttpAsync(Uri url, TimeSpan timeout, Func<string, bool>? accept = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        string last = "no answer";
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                await Task.Delay(100);
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) while waiting for {url}. Output:\n{Tail()}");
            }

            try
            {
                using var response = await http.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode && (accept is null || accept(body)))
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {body}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException e)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{url} did not become ready within {timeout} (last: {last}). {Name} output:\n{Tail()}");
    }

    /// <summary>The last lines of output, for failure messages.</summary>
    public string Tail(int lines = 40) => string.Join('\n', _lines.TakeLast(lines));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(20));
        }
        catch (InvalidOperationException)
        {
            // never started
        }

        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>Signal numbers (Linux).</summary>
[SupportedOSPlatform("linux")]
public static class Signals
{
    /// <summary>SIGINT.</summary>
    public const int Int = 2;

    /// <summary>SIGKILL.</summary>
    public const int Kill = 9;

    /// <summary>SIGTERM.</summary>
    public const int Term = 15;

    /// <summary>SIGSTOP.</summary>
    public const int Stop = 19;

    /// <summary>SIGCONT.</summary>
    public const int Cont = 18;
}
