namespace Phoenix.Cli.Common;

/// <summary>A failure to report to the user in one line (no stack trace) with an exit code.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.PhoenixError) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
