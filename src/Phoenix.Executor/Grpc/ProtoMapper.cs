using Google.Protobuf;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Policy;
using Phoenix.Executor.Sandbox;

namespace Phoenix.Executor.Grpc;

/// <summary>Converts between the gRPC messages and the executor's own types.</summary>
internal static class ProtoMapper
{
    public static RunRequest ToRunRequest(ExecuteRequest request) => new()
    {
        RunId = request.RunId,
        Command = request.Command,
        Args = request.Args,
        Stdin = request.HasStdin ? request.Stdin : null,
        Env = request.Env,
        Files = request.Files.Select(f => new RunFile(f.Path, f.Content.Memory, f.Executable)).ToArray(),
        WorkingDirectory = request.WorkingDirectory,
        TimeoutMs = request.Limits is { HasTimeoutMs: true } l1 ? ToInt(l1.TimeoutMs) : null,
        MemoryMb = request.Limits is { HasMemoryMb: true } l2 ? ToInt(l2.MemoryMb) : null,
        CpuPercent = request.Limits is { HasCpuPercent: true } l3 ? ToInt(l3.CpuPercent) : null,
        MaxProcesses = request.Limits is { HasMaxProcesses: true } l4 ? ToInt(l4.MaxProcesses) : null,
        MaxOutputBytes = request.Limits is { HasMaxOutputBytes: true } l5 ? (long)Math.Min(l5.MaxOutputBytes, long.MaxValue) : null,
    };

    public static ExecuteResult ToResult(RunSpec run, SandboxResult result, string executor)
    {
        var reply = new ExecuteResult
        {
            RunId = run.RunId,
            Status = ToStatus(result.Outcome),
            Stdout = result.Stdout,
            Stderr = result.Stderr,
            StdoutTruncated = result.StdoutTruncated,
            StderrTruncated = result.StderrTruncated,
            Usage = new Usage
            {
                WallMs = (ulong)Math.Max(0, result.Usage.WallMs),
                CpuMs = (ulong)Math.Max(0, result.Usage.CpuMs),
                PeakMemoryBytes = (ulong)Math.Max(0, result.Usage.PeakMemoryBytes),
            },
            Executor = executor,
            Error = result.Error ?? string.Empty,
            AppliedLimits = ToLimits(run.Limits),
        };
        if (result.ExitCode is { } code)
        {
            reply.ExitCode = code;
        }

        if (result.Signal is { } signal)
        {
            reply.Signal = signal;
        }

        return reply;
    }

    public static ValidateResponse ToValidateResponse(PolicyDecision decision)
    {
        var response = new ValidateResponse { Valid = decision.Allowed };
        response.Violations.Add(decision.Violations.Select(v => new Violation { Field = v.Field, Message = v.Message, Code = v.Code }));
        if (decision.Run is { } run)
        {
            response.ResolvedCommand = run.CommandPath;
            response.AppliedLimits = ToLimits(run.Limits);
        }

        return response;
    }

    public static Limits ToLimits(RunLimits limits) => new()
    {
        TimeoutMs = (uint)limits.TimeoutMs,
        MemoryMb = (uint)limits.MemoryMb,
        CpuPercent = (uint)limits.CpuPercent,
        MaxProcesses = (uint)limits.MaxProcesses,
        MaxOutputBytes = (ulong)limits.MaxOutputBytes,
    };

    public static RunStatus ToStatus(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Succeeded => RunStatus.Succeeded,
        RunOutcome.Failed => RunStatus.Failed,
        RunOutcome.TimedOut => RunStatus.TimedOut,
        RunOutcome.MemoryLimit => RunStatus.MemoryLimit,
        RunOutcome.OutputLimit => RunStatus.OutputLimit,
        RunOutcome.Killed => RunStatus.Killed,
        _ => RunStatus.SandboxError,
    };

    public static OutputChunk ToChunk(bool stderr, ReadOnlyMemory<byte> data) => new()
    {
        Stream = stderr ? OutputStream.Stderr : OutputStream.Stdout,
        Data = ByteString.CopyFrom(data.Span),
    };

    // Values past int.MaxValue are out of every policy range: clamp so validation reports them.
    private static int ToInt(uint value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
