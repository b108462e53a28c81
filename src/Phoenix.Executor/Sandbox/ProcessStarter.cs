using System.Collections.Concurrent;
using System.Diagnostics;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// Starts every sandbox process from one dedicated thread that lives as long as the service.
/// bubblewrap's <c>--die-with-parent</c> is PR_SET_PDEATHSIG, which Linux fires when the parent
/// <em>thread</em> exits; .NET forks on the calling thread, and a thread-pool thread can retire at any
/// time, which would SIGKILL a healthy run. Right before each start every descriptor is marked
/// close-on-exec (<see cref="Native.MarkDescriptorsCloseOnExec"/>).
/// </summary>
internal static class ProcessStarter
{
    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = new();

    static ProcessStarter()
    {
        var thread = new Thread(Loop) { IsBackground = true, Name = "phoenix-sandbox-starter" };
        thread.Start();
    }

    /// <summary>Starts <paramref name="process"/> on the starter thread.</summary>
    public static Task StartAsync(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static void Loop()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                Native.MarkDescriptorsCloseOnExec();
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
