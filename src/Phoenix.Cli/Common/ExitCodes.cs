namespace Phoenix.Cli.Common;

/// <summary>
/// Exit codes of the CLI. <c>phoenix exec</c> exits with the command's own exit code when it ran; the rest follow
/// <c>timeout(1)</c> and shells: 124 timed out, 125 Phoenix itself failed, 126 not allowed, 128+n killed by signal n.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int TimedOut = 124;
    public const int PhoenixError = 125;
    public const int NotAllowed = 126;
    public const int Interrupted = 130;

    /// <summary>128 + signal, as a shell reports a command killed by a signal.</summary>
    public static int Signal(int signal) => 128 + signal;
}
