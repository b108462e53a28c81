using System.Diagnostics;
using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// Runs a sandbox's top process: feeds stdin, captures both streams up to the cap, and calls
/// <c>kill</c> on timeout, on output overflow or on cancellation. Returns once the process has exited and
/// both streams are drained (bounded, in case a stray holder keeps a pipe open).
/// </summary>
internal static class ChildProcess
{
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(5);

    public static async Task<ChildExit> RunAsync(
        ProcessStartInfo startInfo,
        ReadOnlyMemory<byte>? stdin,
        RunLimits limits,
        IOutputSink? sink,
        Action<Process> kill,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        using var process = await StartAsync(startInfo).ConfigureAwait(false);
        return await SuperviseAsync(process, [stdin ?? ReadOnlyMemory<byte>.Empty], limits, sink, kill, time, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts <paramref name="startInfo"/> with all three streams redirected, on the sandbox starter thread.</summary>
    public static async Task<Process> StartAsync(ProcessStartInfo startInfo)
    {
        startInfo.RedirectStandardInput = true;
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.UseShellExecute = false;
        var process = new Process { StartInfo = startInfo };
        try
        {
            await ProcessStarter.StartAsync(process).ConfigureAwait(false);
        }
        catch
        {
            process.Dispose();
            throw;
        }

        return process;
    }

    /// <summary>
    /// Supervises a started process: writes <paramref name="input"/> (in order) to its stdin and closes it, captures
    /// both streams, and kills it on timeout (counted from this call), output overflow or cancellation.
    /// </summary>
    public static async Task<ChildExit> SuperviseAsync(
        Process process,
        IReadOnlyList<ReadOnlyMemory<byte>> input,
        RunLimits limits,
        IOutputSink? sink,
        Action<Process> kill,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var timedOut = false;
        var overflow = false;
        var cancelled = false;
        var killOnce = 0;
        void Kill()
        {
            if (Interlocked.Exchange(ref killOnce, 1) == 0)
            {
                kill(process);
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(limits.TimeoutMs), time);
        await using var onTimeout = timeout.Token.Register(() =>
        {
            timedOut = true;
            Kill();
        });
        await using var onCancel = cancellationToken.Register(() =>
        {
            cancelled = true;
            Kill();
        });

        using var drain = new CancellationTokenSource();
        var stdout = new OutputCapture(process.StandardOutput.BaseStream, limits.MaxOutputBytes, stderr: false, sink, () =>
        {
            overflow = true;
            Kill();
        });
        var stderr = new OutputCapture(process.StandardError.BaseStream, limits.MaxOutputBytes, stderr: true, sink, () =>
        {
            overflow = true;
            Kill();
        });
        var pumps = Task.WhenAll(stdout.PumpAsync(drain.Token), stderr.PumpAsync(drain.Token));
        var feed = FeedAsync(process.StandardInput.BaseStream, input);

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var wall = time.GetElapsedTime(started);
        try
        {
            await pumps.WaitAsync(DrainGrace, time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await drain.CancelAsync().ConfigureAwait(false);
        }

        await feed.ConfigureAwait(false);
        return new ChildExit(
            process.ExitCode, timedOut && !overflow, overflow, cancelled && !timedOut && !overflow,
            stdout.Text, stderr.Text, stdout.Truncated, stderr.Truncated, wall);
    }

    private static async Task FeedAsync(Stream stdin, IReadOnlyList<ReadOnlyMemory<byte>> input)
    {
        try
        {
            foreach (var data in input)
            {
                if (data.Length > 0)
                {
                    await stdin.WriteAsync(data).ConfigureAwait(false);
                }
            }
        }
        catch (IOException)
        {
            // The command exited or closed stdin without reading it all.
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
        }
    }
}
