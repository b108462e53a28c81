using System.Diagnostics;
using Phoenix.Executor.Policy;
using Phoenix.Executor.Sandbox;

namespace Phoenix.Executor.Runs;

/// <summary>
/// The span around one sandboxed run (<see cref="SpanName"/>, on <see cref="ExecutorTelemetry.ActivitySource"/>), a
/// child of the executor's gRPC server span. It carries what the run was allowed and what it used, never what it was
/// given: no arguments, environment, stdin or files, which may hold secrets.
/// </summary>
internal static class RunTracing
{
    /// <summary>Name of the span around one sandboxed run.</summary>
    public const string SpanName = "sandbox.run";

    /// <summary>
    /// Starts the run span with <c>process.executable.name</c> (the command's basename), <c>phoenix.run.id</c>,
    /// <c>phoenix.executor.name</c> and the <c>phoenix.limits.*</c> of the run. Null when nobody listens.
    /// </summary>
    public static Activity? Start(RunSpec run, string executorName)
    {
        var activity = ExecutorTelemetry.ActivitySource.StartActivity(SpanName);
        if (activity is not { IsAllDataRequested: true })
        {
            return activity;
        }

        activity.SetTag("process.executable.name", Path.GetFileName(run.CommandName));
        activity.SetTag("phoenix.run.id", run.RunId);
        activity.SetTag("phoenix.executor.name", executorName);
        activity.SetTag("phoenix.limits.timeout_ms", run.Limits.TimeoutMs);
        activity.SetTag("phoenix.limits.memory_mb", run.Limits.MemoryMb);
        activity.SetTag("phoenix.limits.cpu_percent", run.Limits.CpuPercent);
        activity.SetTag("phoenix.limits.max_processes", run.Limits.MaxProcesses);
        activity.SetTag("phoenix.limits.max_output_bytes", run.Limits.MaxOutputBytes);
        return activity;
    }

    /// <summary>
    /// Adds the outcome: <c>phoenix.run.status</c>, <c>process.exit.code</c>, the signal and the limit breached if any,
    /// the <c>phoenix.usage.*</c> and the sandbox start latency. A <c>sandbox_error</c> marks the span as an error; a
    /// command that failed or hit a limit does not (the executor did its job).
    /// </summary>
    public static void End(Activity? activity, SandboxResult result, string status)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }

        activity.SetTag("phoenix.run.status", status);
        activity.SetTag("process.exit.code", result.ExitCode);
        activity.SetTag("phoenix.run.signal", result.Signal);
        activity.SetTag("phoenix.run.breached_limit", result.BreachedLimit);
        activity.SetTag("phoenix.usage.wall_ms", result.Usage.WallMs);
        activity.SetTag("phoenix.usage.cpu_ms", result.Usage.CpuMs);
        activity.SetTag("phoenix.usage.peak_memory_bytes", result.Usage.PeakMemoryBytes);
        if (result.StartLatency is { } latency)
        {
            activity.SetTag("phoenix.sandbox.start_latency_ms", latency.TotalMilliseconds);
        }

        if (result.Outcome == RunOutcome.SandboxError)
        {
            activity.SetStatus(ActivityStatusCode.Error, status);
        }
    }
}
