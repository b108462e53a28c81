using System.Text;
using Phoenix.Cli.Common;

namespace Phoenix.Cli.Exec;

/// <summary>The JSON body of <c>POST /api/v1/execute</c> (see DESIGN.md), built from <c>phoenix exec</c>'s options.</summary>
internal sealed record ExecRequest
{
    public required string Command { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    public string? Stdin { get; init; }

    public IReadOnlyDictionary<string, string>? Env { get; init; }

    public IReadOnlyList<ExecFile>? Files { get; init; }

    public string? WorkingDirectory { get; init; }

    public ExecLimits? Limits { get; init; }

    /// <summary>Builds the request; every malformed option is a <see cref="CliException"/> with exit code 2.</summary>
    public static ExecRequest Build(
        IReadOnlyList<string> commandLine,
        IReadOnlyList<string> env,
        IReadOnlyList<string> files,
        string? stdin,
        string? workingDirectory,
        ExecLimits? limits)
    {
        if (commandLine.Count == 0 || string.IsNullOrEmpty(commandLine[0]))
        {
            throw new CliException("Give the command after '--', e.g. phoenix exec -- python3 -c 'print(6*7)'.", ExitCodes.Usage);
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in env)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CliException($"--env '{pair}': expected NAME=VALUE.", ExitCodes.Usage);
            }

            environment[pair[..equals]] = pair[(equals + 1)..];
        }

        return new ExecRequest
        {
            Command = commandLine[0],
            Args = [.. commandLine.Skip(1)],
            Stdin = stdin,
            Env = environment.Count == 0 ? null : environment,
            Files = files.Count == 0 ? null : [.. files.Select(ExecFile.Read)],
            WorkingDirectory = workingDirectory,
            Limits = limits,
        };
    }
}

/// <summary>A file written into the sandbox's working directory before the run.</summary>
internal sealed record ExecFile(string Path, string Content, string Encoding)
{
    /// <summary>
    /// Reads <c>LOCAL[:REMOTE]</c>: REMOTE (default: LOCAL's file name) is the path inside the sandbox. Text that is
    /// valid UTF-8 is sent as is, anything else as base64.
    /// </summary>
    public static ExecFile Read(string spec)
    {
        var local = spec;
        string? remote = null;
        var colon = spec.LastIndexOf(':');
        if (!File.Exists(spec) && colon > 0)
        {
            local = spec[..colon];
            remote = spec[(colon + 1)..];
        }

        if (!File.Exists(local))
        {
            throw new CliException($"--file '{spec}': no such local file '{local}'.", ExitCodes.Usage);
        }

        remote = string.IsNullOrEmpty(remote) ? System.IO.Path.GetFileName(local) : remote;
        var bytes = File.ReadAllBytes(local);
        try
        {
            var text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            return new ExecFile(remote, text, "utf8");
        }
        catch (DecoderFallbackException)
        {
            return new ExecFile(remote, Convert.ToBase64String(bytes), "base64");
        }
    }
}

/// <summary>Per-run limits; null fields take the gateway's defaults.</summary>
internal sealed record ExecLimits
{
    public int? TimeoutMs { get; init; }

    public int? MemoryMb { get; init; }

    public int? CpuPercent { get; init; }

    public int? MaxProcesses { get; init; }

    public static ExecLimits? From(double? timeoutSeconds, int? memoryMb, int? cpuPercent, int? maxProcesses)
    {
        if (timeoutSeconds is <= 0 or > int.MaxValue / 1000.0)
        {
            throw new CliException("--timeout must be a positive number of seconds.", ExitCodes.Usage);
        }

        return timeoutSeconds is null && memoryMb is null && cpuPercent is null && maxProcesses is null
            ? null
            : new ExecLimits
            {
                TimeoutMs = timeoutSeconds is { } s ? (int)Math.Ceiling(s * 1000) : null,
                MemoryMb = memoryMb,
                CpuPercent = cpuPercent,
                MaxProcesses = maxProcesses,
            };
    }
}
