using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Phoenix.Contracts.Executor;
using Phoenix.Gateway.Audit;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Validation;

namespace Phoenix.Gateway.Api;

/// <summary>Between the HTTP shapes, the gRPC contract and audit records.</summary>
internal static class RunMapping
{
    public static ExecuteRequest ToProto(ExecuteRequestDto dto, string runId)
    {
        var request = new ExecuteRequest
        {
            RunId = runId,
            Command = dto.Command,
            WorkingDirectory = dto.WorkingDirectory ?? string.Empty,
        };
        if (dto.Stdin is not null)
        {
            request.Stdin = dto.Stdin;
        }

        request.Args.Add(dto.Args ?? []);
        foreach (var (name, value) in dto.Env ?? [])
        {
            request.Env[name] = value;
        }

        foreach (var file in dto.Files ?? [])
        {
            request.Files.Add(new InputFile { Path = file.Path, Content = ByteString.CopyFrom(ExecuteRequestValidator.Content(file)), Executable = file.Executable });
        }

        if (dto.Limits is { } limits)
        {
            request.Limits = new Limits();
            if (limits.TimeoutMs is { } timeout)
            {
                request.Limits.TimeoutMs = (uint)timeout;
            }

            if (limits.MemoryMb is { } memory)
            {
                request.Limits.MemoryMb = (uint)memory;
            }

            if (limits.CpuPercent is { } cpu)
            {
                request.Limits.CpuPercent = (uint)cpu;
            }

            if (limits.MaxProcesses is { } processes)
            {
                request.Limits.MaxProcesses = (uint)processes;
            }

            if (limits.MaxOutputBytes is { } output)
            {
                request.Limits.MaxOutputBytes = (ulong)output;
            }
        }

        return request;
    }

    public static ExecuteResponseDto ToResponse(ExecuteResult result, string traceId) => new(
        result.RunId,
        StatusName(result.Status),
        result.HasExitCode ? result.ExitCode : null,
        result.HasSignal ? result.Signal : null,
        result.Stdout,
        result.Stderr,
        result.StdoutTruncated,
        result.StderrTruncated,
        new UsageDto((long)(result.Usage?.WallMs ?? 0), (long)(result.Usage?.CpuMs ?? 0), (long)(result.Usage?.PeakMemoryBytes ?? 0)),
        result.Executor,
        traceId);

    public static LimitsDto? ToDto(Limits? limits) => limits is null ? null : new LimitsDto
    {
        TimeoutMs = (int)limits.TimeoutMs,
        MemoryMb = (int)limits.MemoryMb,
        CpuPercent = (int)limits.CpuPercent,
        MaxProcesses = (int)limits.MaxProcesses,
        MaxOutputBytes = (long)limits.MaxOutputBytes,
    };

    public static string StatusName(RunStatus status) => status switch
    {
        RunStatus.Succeeded => "succeeded",
        RunStatus.Failed => "failed",
        RunStatus.TimedOut => "timed_out",
        RunStatus.MemoryLimit => "memory_limit",
        RunStatus.OutputLimit => "output_limit",
        RunStatus.Killed => "killed",
        _ => "sandbox_error",
    };

    public static AuditRecord Accepted(HttpContext context, ExecuteRequestDto dto, string runId, string traceId, DateTimeOffset now) => new()
    {
        RunId = runId,
        AcceptedAt = now,
        KeyId = context.User.FindFirst(PhoenixClaims.KeyId)?.Value ?? "anonymous",
        Command = dto.Command,
        ArgsDigest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(dto.Args ?? [], ArgsJsonContext.Default.ListString)))),
        Limits = dto.Limits is null ? "{}" : JsonSerializer.Serialize(dto.Limits, GatewayJsonContext.Default.LimitsDto),
        Status = "accepted",
        TraceId = traceId,
        ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
    };

    public static AuditRecord Finished(AuditRecord accepted, ExecuteResult? result, string? status, string? executor, DateTimeOffset now) => accepted with
    {
        FinishedAt = now,
        Status = result is null ? status ?? "rejected" : StatusName(result.Status),
        ExitCode = result is { HasExitCode: true } ? result.ExitCode : null,
        WallMs = (long?)result?.Usage?.WallMs,
        CpuMs = (long?)result?.Usage?.CpuMs,
        PeakMemoryBytes = (long?)result?.Usage?.PeakMemoryBytes,
        Executor = result?.Executor ?? executor,
    };
}
