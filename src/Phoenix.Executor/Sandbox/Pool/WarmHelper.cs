using System.Globalization;
using System.Text;
using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Sandbox.Pool;

/// <summary>
/// Both ends of the warm sandbox's control protocol: the helper a warm sandbox waits in (bubblewrap's command,
/// already inside every namespace, with seccomp applied) and the one message that tells it what to run.
/// </summary>
/// <remarks>
/// <para>
/// The control pipe is the sandbox's stdin. The helper writes one byte (<see cref="ReadyByte"/>) to its stdout when
/// it is waiting, then reads the message from stdin and, after it, <c>exec</c>s the command on the same stdin: the
/// run's own stdin data follows the message on the pipe. bash reads a pipe one byte at a time (it cannot seek back),
/// so not one byte of the run's stdin is consumed by the helper. The helper is gone before the command starts: it
/// becomes the command through <c>exec</c> (bash → <c>env</c> → command, one process), so there is no waiting
/// process to ptrace or signal, no control descriptor to find (only 0, 1 and 2 are open), and nothing of the
/// message the command did not already get as its own argv, environment and working directory.
/// </para>
/// <para>
/// The message is a list of NUL-terminated UTF-8 fields, never parsed by a shell: <c>phoenix-run/1</c>, CPU seconds,
/// working directory, the number of environment entries <c>e</c>, the number of arguments <c>c</c>, then <c>e</c>
/// <c>NAME=VALUE</c> entries, the command's absolute path and <c>c</c> arguments. bash's <c>read -d ''</c> and
/// <c>mapfile -d ''</c> split on NUL only and keep every other byte (the fields cannot contain NUL: the policy refuses
/// it); the fields are used only as quoted words: <c>ulimit -t</c>, <c>cd --</c>, and the argv of
/// <c>env -i -- entries… command args…</c>. env takes entries up to the first field without <c>=</c>, which is the
/// command (absolute, and refused here if it contains <c>=</c>); it never looks at the arguments after it.
/// The helper runs under <c>LC_ALL=C</c> (bytes, not characters); <c>env -i</c> gives the command exactly the
/// entries of the message.
/// </para>
/// <para>
/// A helper failure before the <c>exec</c> (a malformed message, a limit that cannot be set, a missing command)
/// writes <see cref="ErrorPrefix"/> and a reason to stderr and exits 1: the run is reported as <c>sandbox_error</c>,
/// as bubblewrap's own failure to start the command is in a cold sandbox. An <c>exec</c> the kernel refuses (an
/// argument over 128 KiB, too much in all) would instead end the helper with bash's message and 126; such runs are
/// never sent to a warm sandbox (<see cref="CanCarry"/>): they start cold and fail there as they always did.
/// </para>
/// </remarks>
internal static class WarmHelper
{
    /// <summary>The shell the helper runs in (Debian: essential, under <c>/usr</c>, bound into every sandbox).</summary>
    public const string Shell = "/usr/bin/bash";

    /// <summary>Starts the command with exactly the message's environment.</summary>
    public const string Env = "/usr/bin/env";

    /// <summary>What the helper writes to stdout once it waits for the message.</summary>
    public const byte ReadyByte = (byte)'R';

    /// <summary>Starts the helper's own error messages on stderr.</summary>
    public const string ErrorPrefix = "phoenix-warm: ";

    private const string Version = "phoenix-run/1";

    // The kernel's exec limits: one string (NUL included) at most MAX_ARG_STRLEN; all of argv and envp at most a
    // quarter of the stack rlimit (2 MiB with the usual 8 MiB), here kept well below.
    private const int MaxStringBytes = 131_072;
    private const int MaxTotalBytes = 1_048_576;

    /// <summary>The helper (one line: it shows in <c>ps</c>). Every field is read with NUL as the only delimiter and used quoted.</summary>
    private const string Script =
        "fail() { printf '" + ErrorPrefix + "%s\\n' \"$1\" >&2; exit 1; }; " +
        "printf R || exit 1; " +
        "IFS= read -r -d '' v || fail 'no message'; " +
        "[ \"$v\" = '" + Version + "' ] || fail 'unknown message'; " +
        "IFS= read -r -d '' t && IFS= read -r -d '' d && IFS= read -r -d '' e && IFS= read -r -d '' c || fail 'truncated message'; " +
        "for x in \"$t\" \"$e\" \"$c\"; do case $x in ''|*[!0-9]*) fail 'bad number';; esac; done; " +
        "n=$((10#$e + 1 + 10#$c)); " +
        "mapfile -t -d '' -n \"$n\" m && [ \"${#m[@]}\" -eq \"$n\" ] || fail 'truncated message'; " +
        "x=${m[10#$e]}; " +
        "[ -f \"$x\" ] && [ -x \"$x\" ] || fail 'command not found'; " +
        "ulimit -t \"$t\" 2>/dev/null || fail 'cannot set the CPU time limit'; " +
        "cd -- \"$d\" 2>/dev/null || fail 'cannot enter the working directory'; " +
        "exec " + Env + " -i -- \"${m[@]}\"";

    /// <summary>bubblewrap's command for a warm sandbox: the helper.</summary>
    public static IReadOnlyList<string> Command { get; } = [Shell, "--noprofile", "--norc", "-c", Script, "phoenix-warm"];

    /// <summary>The helper's own environment (the command gets only the message's).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Environment { get; } =
        [.. BubblewrapSandbox.BaseEnvironment, new("LC_ALL", "C")];

    /// <summary>
    /// True when <paramref name="run"/> can be carried by the message and started by the helper's <c>exec</c>: an absolute
    /// command path without <c>=</c> (env would take it for an assignment), no NUL anywhere, valid names, and argv plus
    /// environment within the kernel's exec limits. A run that cannot starts cold.
    /// </summary>
    public static bool CanCarry(RunSpec run)
    {
        if (!run.CommandPath.StartsWith('/') || run.CommandPath.Contains('=', StringComparison.Ordinal) || HasNul(run.CommandPath)
            || run.Env.Any(e => e.Key.Length == 0 || e.Key.Contains('=', StringComparison.Ordinal) || HasNul(e.Key) || HasNul(e.Value)) || run.Args.Any(HasNul))
        {
            return false;
        }

        long total = 0;
        foreach (var size in run.Args.Select(Size).Concat(run.Env.Select(e => Size(e.Key) + Size(e.Value))).Append(Size(run.CommandPath)))
        {
            if (size > MaxStringBytes)
            {
                return false;
            }

            total += size + 8;
        }

        return total <= MaxTotalBytes;

        static int Size(string value) => Encoding.UTF8.GetByteCount(value) + 1;
    }

    /// <summary>
    /// The message for <paramref name="run"/>: CPU seconds, working directory (inside the sandbox), the environment
    /// (in order; a later entry of the same name wins, as with bubblewrap's <c>--setenv</c>), command and arguments.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="run"/> cannot be carried (<see cref="CanCarry"/>).</exception>
    public static byte[] Encode(RunSpec run, int cpuSeconds, string directory, IEnumerable<KeyValuePair<string, string>> environment)
    {
        if (!CanCarry(run) || HasNul(directory))
        {
            throw new ArgumentException("The run cannot be carried by the warm sandbox's message.", nameof(run));
        }

        var entries = environment.Select(e => e.Key + "=" + e.Value).ToList();
        using var message = new MemoryStream();
        Field(Version);
        Field(cpuSeconds.ToString(CultureInfo.InvariantCulture));
        Field(directory);
        Field(entries.Count.ToString(CultureInfo.InvariantCulture));
        Field(run.Args.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var entry in entries)
        {
            Field(entry);
        }

        Field(run.CommandPath);
        foreach (var arg in run.Args)
        {
            Field(arg);
        }

        return message.ToArray();

        void Field(string value)
        {
            message.Write(Encoding.UTF8.GetBytes(value));
            message.WriteByte(0);
        }
    }

    private static bool HasNul(string value) => value.Contains('\0', StringComparison.Ordinal);
}
