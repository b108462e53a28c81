using Grpc.Core;
using Phoenix.Contracts.Executor;

namespace Phoenix.Bench.InstantExecutor;

/// <summary>The executor contract with nothing behind it: every run has succeeded by the time it is asked for.</summary>
internal sealed class InstantExecutorService : Executor.ExecutorBase
{
    private static long _runs;

    public static long Runs => Interlocked.Read(ref _runs);

    public override Task<ExecuteResult> Execute(ExecuteRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _runs);
        return Task.FromResult(InstantResults.Result(request));
    }

    public override Task ExecuteStream(ExecuteRequest request, IServerStreamWriter<ExecuteEvent> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(responseStream);
        Interlocked.Increment(ref _runs);
        var result = InstantResults.Result(request);
        return WriteAsync(responseStream, result);
    }

    public override Task<ValidateResponse> Validate(ExecuteRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(new ValidateResponse
        {
            Valid = true,
            ResolvedCommand = "/usr/bin/" + request.Command,
            AppliedLimits = InstantResults.Result(request).AppliedLimits,
        });
    }

    private static async Task WriteAsync(IServerStreamWriter<ExecuteEvent> stream, ExecuteResult result)
    {
        await stream.WriteAsync(new ExecuteEvent { Output = new OutputChunk { Stream = OutputStream.Stdout, Data = Google.Protobuf.ByteString.CopyFromUtf8(result.Stdout) } });
        await stream.WriteAsync(new ExecuteEvent { Result = result });
    }
}
