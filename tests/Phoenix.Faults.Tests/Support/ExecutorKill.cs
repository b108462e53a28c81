namespace Phoenix.Faults.Tests.Support;

/// <summary>One SIGKILL of an executor under load and its recovery, on the clock of the <see cref="LoadGenerator"/>.</summary>
/// <param name="Killing">Just before the signal.</param>
/// <param name="Killed">Once the process had exited.</param>
/// <param name="InSandbox">Tokens of the runs that were in its sandboxes at that moment.</param>
/// <param name="CircuitOpen">When the gateway's health first showed its circuit open.</param>
/// <param name="Restarting">Just before it was started again.</param>
/// <param name="Restarted">Once it was ready again.</param>
/// <param name="Back">When the first run sent to it after the restart was answered.</param>
internal sealed record ExecutorKill(
    TimeSpan Killing, TimeSpan Killed, IReadOnlySet<string> InSandbox, TimeSpan CircuitOpen, TimeSpan Restarting, TimeSpan Restarted, TimeSpan Back)
{
    /// <summary>Whether the call was waiting for its answer when the executor died.</summary>
    public bool WasInFlight(CallRecord record) => record.SentAt <= Killed && record.EndedAt >= Killing;
}
