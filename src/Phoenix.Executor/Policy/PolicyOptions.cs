using System.ComponentModel.DataAnnotations;

namespace Phoenix.Executor.Policy;

/// <summary>
/// The executor policy (<c>Phoenix:Executor:Policy</c>, reloaded live): which commands may run, the
/// limits a request gets by default and may ask for at most, and caps on the request's size.
/// </summary>
public sealed record PolicyOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Executor:Policy";

    /// <summary>The allowlist used when <see cref="Commands"/> is not configured: a shell, Python and the common coreutils and text tools.</summary>
    public static readonly IReadOnlyList<string> DefaultCommands =
    [
        "sh", "bash", "python3",
        "ls", "cat", "echo", "head", "tail", "wc", "sort", "uniq", "cut", "tr", "grep", "sed", "awk", "find",
        "mkdir", "cp", "mv", "rm", "touch", "date", "env", "true", "false", "sleep", "diff", "tar", "gzip",
        "base64", "sha256sum",
    ];

    /// <summary>The environment names denied when <see cref="DeniedEnvNames"/> is not configured (besides every <c>LD_*</c> name, always denied).</summary>
    public static readonly IReadOnlyList<string> DefaultDeniedEnvNames =
    [
        "PATH", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "PROMPT_COMMAND", "IFS", "CDPATH", "GLOBIGNORE",
        "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "PYTHONINSPECT", "PYTHONUSERBASE", "PYTHONBREAKPOINT",
        "NODE_OPTIONS", "NODE_PATH", "PERL5OPT", "PERL5LIB", "PERLLIB", "RUBYOPT", "RUBYLIB",
        "GCONV_PATH", "LOCPATH", "MALLOC_CHECK_", "GLIBC_TUNABLES", "HOSTALIASES", "RESOLV_HOST_CONF", "TMPDIR", "HOME",
    ];

    // Lists are null unless configured: the configuration binder appends to a non-empty default list, which
    // would make it impossible to narrow the allowlist. A configured list replaces the default whole.

    /// <summary>
    /// Allowlisted command names; null means <see cref="DefaultCommands"/>. Each is resolved to an absolute path in
    /// <see cref="SearchPaths"/> when the policy loads; names not found on this machine are left out.
    /// </summary>
    public string[]? Commands { get; init; }

    /// <summary>Directories searched for commands, in order: only directories bound into the sandbox. Null means <c>/usr/bin</c>, <c>/bin</c>.</summary>
    public string[]? SearchPaths { get; init; }

    /// <summary>Limits applied when a request does not ask.</summary>
    [Required]
    public RunLimitsOptions Defaults { get; init; } = new();

    /// <summary>The most a request may ask for.</summary>
    [Required]
    public RunLimitsOptions Maxima { get; init; } = new()
    {
        TimeoutMs = 60_000, MemoryMb = 2_048, CpuPercent = 100, MaxProcesses = 64, MaxOutputBytes = 16_777_216,
    };

    /// <summary>Arguments per request. Default 256; 0..4 096.</summary>
    [Range(0, 4_096)]
    public int MaxArgs { get; init; } = 256;

    /// <summary>UTF-8 bytes of all arguments together. Default 256 KiB; 1 KiB..1 MiB (the kernel's own limit is ~2 MiB).</summary>
    [Range(1_024, 1_048_576)]
    public int MaxTotalArgBytes { get; init; } = 262_144;

    /// <summary>UTF-8 bytes of stdin. Default 1 MiB; 0..64 MiB.</summary>
    [Range(0, 67_108_864)]
    public int MaxStdinBytes { get; init; } = 1_048_576;

    /// <summary>Environment variables per request. Default 64; 0..1 024.</summary>
    [Range(0, 1_024)]
    public int MaxEnvVars { get; init; } = 64;

    /// <summary>UTF-8 bytes of one environment value. Default 32 KiB; 1..1 MiB.</summary>
    [Range(1, 1_048_576)]
    public int MaxEnvValueBytes { get; init; } = 32_768;

    /// <summary>Environment names a request may not set besides every <c>LD_*</c> name; null means <see cref="DefaultDeniedEnvNames"/>.</summary>
    public string[]? DeniedEnvNames { get; init; }

    /// <summary>Files per request. Default 64; 0..4 096.</summary>
    [Range(0, 4_096)]
    public int MaxFiles { get; init; } = 64;

    /// <summary>Bytes of all files together. Default 8 MiB; 0..256 MiB. Must fit in <see cref="WorkdirSizeMb"/>.</summary>
    [Range(0, 268_435_456)]
    public long MaxTotalFileBytes { get; init; } = 8_388_608;

    /// <summary>Characters of one relative path (file or working directory). Default 255; 1..4 096.</summary>
    [Range(1, 4_096)]
    public int MaxPathLength { get; init; } = 255;

    /// <summary>Size of the run's writable workdir, MiB. Default 64; 1..65 536.</summary>
    [Range(1, 65_536)]
    public int WorkdirSizeMb { get; init; } = 64;

    /// <summary>Size of the run's private /tmp, MiB. Default 64; 1..65 536.</summary>
    [Range(1, 65_536)]
    public int TmpSizeMb { get; init; } = 64;

    /// <summary>Largest file the command may write (RLIMIT_FSIZE), MiB. Default 64; 1..65 536.</summary>
    [Range(1, 65_536)]
    public int MaxFileSizeMb { get; init; } = 64;

    /// <summary>Open files per process (RLIMIT_NOFILE). Default 256; 16..65 536.</summary>
    [Range(16, 65_536)]
    public int MaxOpenFiles { get; init; } = 256;

    /// <summary>The allowlist in force.</summary>
    internal IReadOnlyList<string> CommandsOrDefault => Commands ?? DefaultCommands;

    /// <summary>The search paths in force.</summary>
    internal IReadOnlyList<string> SearchPathsOrDefault => SearchPaths ?? ["/usr/bin", "/bin"];

    /// <summary>The denied environment names in force.</summary>
    internal IReadOnlyList<string> DeniedEnvNamesOrDefault => DeniedEnvNames ?? DefaultDeniedEnvNames;
}
