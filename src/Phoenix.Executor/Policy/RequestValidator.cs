using System.Text;
using System.Text.RegularExpressions;

namespace Phoenix.Executor.Policy;

/// <summary>
/// Checks a <see cref="RunRequest"/> against an <see cref="ExecutionPolicy"/> and reports every violation,
/// each with the field it concerns. Never throws for bad input.
/// </summary>
internal static partial class RequestValidator
{
    public static PolicyDecision Check(RunRequest request, ExecutionPolicy policy, Func<string> newRunId)
    {
        var options = policy.Options;
        var violations = new List<PolicyViolation>();
        void Bad(string field, string message, string code) => violations.Add(new(field, message, code, Forbidden: false));
        void Forbid(string field, string message, string code) => violations.Add(new(field, message, code, Forbidden: true));

        // Run id: only used for correlation, never in a path, but kept printable and short.
        if (request.RunId.Length > 0 && !RunId().IsMatch(request.RunId))
        {
            Bad("runId", "must be 1-64 letters, digits, '-' or '_'.", "validation.run_id");
        }

        // Command: an allowlisted name, never a path.
        string? commandPath = null;
        if (string.IsNullOrEmpty(request.Command))
        {
            Bad("command", "is required.", "validation.required");
        }
        else if (HasControl(request.Command))
        {
            Bad("command", "must not contain NUL or control characters.", "validation.control_characters");
        }
        else if (request.Command.Contains('/', StringComparison.Ordinal))
        {
            Forbid("command", "must be a command name, not a path.", "policy.command_is_path");
        }
        else if (!policy.Commands.TryGetValue(request.Command, out commandPath))
        {
            Forbid("command", $"'{Shorten(request.Command)}' is not allowed by policy.", "policy.command_not_allowed");
        }

        // Arguments.
        if (request.Args.Count > options.MaxArgs)
        {
            Bad("args", $"at most {options.MaxArgs} arguments are allowed.", "validation.too_many_args");
        }

        long argBytes = 0;
        for (var i = 0; i < request.Args.Count && i <= options.MaxArgs; i++)
        {
            var arg = request.Args[i] ?? string.Empty;
            if (arg.Contains('\0', StringComparison.Ordinal))
            {
                Bad($"args[{i}]", "must not contain NUL.", "validation.nul");
            }

            argBytes += Encoding.UTF8.GetByteCount(arg) + 1;
        }

        if (argBytes > options.MaxTotalArgBytes)
        {
            Bad("args", $"arguments total more than {options.MaxTotalArgBytes} bytes.", "validation.args_too_large");
        }

        // Stdin.
        ReadOnlyMemory<byte>? stdin = null;
        if (request.Stdin is { } text)
        {
            if (Encoding.UTF8.GetByteCount(text) > options.MaxStdinBytes)
            {
                Bad("stdin", $"must be at most {options.MaxStdinBytes} bytes.", "validation.stdin_too_large");
            }
            else
            {
                stdin = Encoding.UTF8.GetBytes(text);
            }
        }

        // Environment.
        if (request.Env.Count > options.MaxEnvVars)
        {
            Bad("env", $"at most {options.MaxEnvVars} variables are allowed.", "validation.too_many_env");
        }

        foreach (var (name, value) in request.Env)
        {
            var field = $"env.{Shorten(name)}";
            if (!EnvName().IsMatch(name))
            {
                Bad(field, "name must match ^[A-Za-z_][A-Za-z0-9_]*$.", "validation.env_name");
            }
            else if (name.StartsWith("LD_", StringComparison.Ordinal) || options.DeniedEnvNamesOrDefault.Contains(name, StringComparer.Ordinal))
            {
                Forbid(field, "may not be set: it changes how programs load or start.", "policy.env_denied");
            }

            if (value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                Bad(field, "value must not contain NUL.", "validation.nul");
            }
            else if (Encoding.UTF8.GetByteCount(value) > options.MaxEnvValueBytes)
            {
                Bad(field, $"value must be at most {options.MaxEnvValueBytes} bytes.", "validation.env_value_too_large");
            }
        }

        // Files.
        if (request.Files.Count > options.MaxFiles)
        {
            Bad("files", $"at most {options.MaxFiles} files are allowed.", "validation.too_many_files");
        }

        var files = new List<RunFile>(request.Files.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long fileBytes = 0;
        for (var i = 0; i < request.Files.Count && i <= options.MaxFiles; i++)
        {
            var file = request.Files[i];
            var field = $"files[{i}].path";
            if (CheckRelativePath(file.Path, options.MaxPathLength, allowEmpty: false) is { } problem)
            {
                Bad(field, problem, "validation.path");
                continue;
            }

            var normalized = Normalize(file.Path);
            if (!seen.Add(normalized))
            {
                Bad(field, "appears twice.", "validation.duplicate_path");
                continue;
            }

            fileBytes += file.Content.Length;
            files.Add(file with { Path = normalized });
        }

        foreach (var file in files)
        {
            if (files.Any(other => other.Path.StartsWith(file.Path + "/", StringComparison.Ordinal)))
            {
                Bad("files", $"'{Shorten(file.Path)}' is both a file and a directory.", "validation.path_conflict");
            }
        }

        if (fileBytes > options.MaxTotalFileBytes)
        {
            Bad("files", $"files total more than {options.MaxTotalFileBytes} bytes.", "validation.files_too_large");
        }

        // Working directory.
        var workingDirectory = string.Empty;
        if (request.WorkingDirectory.Length > 0)
        {
            if (CheckRelativePath(request.WorkingDirectory, options.MaxPathLength, allowEmpty: true) is { } problem)
            {
                Bad("workingDirectory", problem, "validation.path");
            }
            else
            {
                workingDirectory = Normalize(request.WorkingDirectory);
                if (files.Any(f => f.Path == workingDirectory || workingDirectory.StartsWith(f.Path + "/", StringComparison.Ordinal)))
                {
                    Bad("workingDirectory", "names a file or a path inside one, not a directory.", "validation.path_conflict");
                }
            }
        }

        // Limits.
        var limits = new RunLimits(
            Limit("limits.timeoutMs", request.TimeoutMs, options.Defaults.TimeoutMs, options.Maxima.TimeoutMs),
            Limit("limits.memoryMb", request.MemoryMb, options.Defaults.MemoryMb, options.Maxima.MemoryMb),
            Limit("limits.cpuPercent", request.CpuPercent, options.Defaults.CpuPercent, options.Maxima.CpuPercent),
            Limit("limits.maxProcesses", request.MaxProcesses, options.Defaults.MaxProcesses, options.Maxima.MaxProcesses),
            Limit("limits.maxOutputBytes", request.MaxOutputBytes, options.Defaults.MaxOutputBytes, options.Maxima.MaxOutputBytes));

        if (violations.Count > 0)
        {
            return new PolicyDecision(null, violations);
        }

        var run = new RunSpec
        {
            RunId = request.RunId.Length > 0 ? request.RunId : newRunId(),
            CommandName = request.Command,
            CommandPath = commandPath!,
            Args = request.Args.ToArray(),
            Stdin = stdin,
            Env = new Dictionary<string, string>(request.Env, StringComparer.Ordinal),
            Files = files,
            WorkingDirectory = workingDirectory,
            Limits = limits,
            Policy = options,
        };
        return new PolicyDecision(run, violations);

        T Limit<T>(string field, T? requested, T fallback, T maximum)
            where T : struct, System.Numerics.INumber<T>
        {
            if (requested is not { } value)
            {
                return fallback;
            }

            if (value < T.One || value > maximum)
            {
                Bad(field, $"must be between 1 and {maximum}.", "validation.limit_out_of_range");
                return fallback;
            }

            return value;
        }
    }

    /// <summary>Null when <paramref name="path"/> is a safe relative path; otherwise what is wrong with it.</summary>
    internal static string? CheckRelativePath(string? path, int maxLength, bool allowEmpty)
    {
        if (string.IsNullOrEmpty(path))
        {
            return allowEmpty ? null : "is required.";
        }

        if (path.Length > maxLength)
        {
            return $"must be at most {maxLength} characters.";
        }

        if (HasControl(path))
        {
            return "must not contain NUL or control characters.";
        }

        if (path.StartsWith('/') || path.StartsWith('\\') || path.Contains('\\', StringComparison.Ordinal))
        {
            return "must be a relative path with '/' separators.";
        }

        var segments = path.Split('/');
        if (segments.Any(s => s == ".."))
        {
            return "must not contain '..'.";
        }

        if (segments.Any(s => Encoding.UTF8.GetByteCount(s) > 255))
        {
            return "has a name longer than 255 bytes.";
        }

        // Only '.' segments name the workdir itself: fine for a working directory, never for a file.
        return segments.All(s => s.Length == 0 || s == ".") && !allowEmpty ? "must name something inside the workdir." : null;
    }

    private static string Normalize(string path) =>
        string.Join('/', path.Split('/').Where(s => s.Length > 0 && s != "."));

    private static bool HasControl(string value) => value.Any(char.IsControl);

    private static string Shorten(string value) =>
        HasControl(value) || value.Length > 64 ? $"{new string(value.Take(32).Where(c => !char.IsControl(c)).ToArray())}…" : value;

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex EnvName();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RunId();
}
