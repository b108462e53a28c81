using System.Threading.Channels;
using Grpc.Core;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Runs;
using Phoenix.Executor.Sandbox;
using Phoenix.Resilience.Errors;

namespace Phoenix.Executor.Grpc;

/// <summary>
/// The gRPC face of the executor. Policy and validation problems answer PERMISSION_DENIED or
/// INVALID_ARGUMENT with every violation in the <see cref="ViolationsTrailer"/> trailer; a full queue
/// answers RESOURCE_EXHAUSTED at once; shutdown answers UNAVAILABLE. A cancelled call kills its run.
/// </summary>
internal sealed class ExecutorGrpcService(RunCoordinator runs) : Contracts.Executor.Executor.ExecutorBase
{
    /// <summary>Trailer holding a serialized <see cref="ValidateResponse"/> when a request is refused by policy.</summary>
    public const string ViolationsTrailer = "phoenix-violations-bin";

    /// <summary>Trailer set when the executor refused a run before starting it: the caller may safely send it elsewhere.</summary>
    public const string NotStartedTrailer = "phoenix-not-started";

    public override async Task<ExecuteResult> Execute(ExecuteRequest request, ServerCallContext context)
    {
        var reply = await runs.ExecuteAsync(ProtoMapper.ToRunRequest(request), output: null, context.CancellationToken);
        return ToResultOrThrow(reply, context);
    }

    public override async Task ExecuteStream(ExecuteRequest request, IServerStreamWriter<ExecuteEvent> responseStream, ServerCallContext context)
    {
        var chunks = Channel.CreateBounded<OutputChunk>(new BoundedChannelOptions(64) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var sink = new ChannelSink(chunks.Writer);
        var run = runs.ExecuteAsync(ProtoMapper.ToRunRequest(request), sink, context.CancellationToken);
        var completion = run.ContinueWith(_ => chunks.Writer.TryComplete(), TaskScheduler.Default);
        await foreach (var chunk in chunks.Reader.ReadAllAsync(context.CancellationToken))
        {
            await responseStream.WriteAsync(new ExecuteEvent { Output = chunk }, context.CancellationToken);
        }

        await completion;
        var result = ToResultOrThrow(await run, context);
        await responseStream.WriteAsync(new ExecuteEvent { Result = result }, context.CancellationToken);
    }

    public override Task<ValidateResponse> Validate(ExecuteRequest request, ServerCallContext context) =>
        Task.FromResult(ProtoMapper.ToValidateResponse(runs.Validate(ProtoMapper.ToRunRequest(request))));

    private ExecuteResult ToResultOrThrow(RunReply reply, ServerCallContext context)
    {
        if (reply.Violations.Count > 0)
        {
            var forbidden = reply.Violations.Any(v => v.Forbidden);
            var response = new ValidateResponse();
            response.Violations.Add(reply.Violations.Select(v => new Violation { Field = v.Field, Message = v.Message, Code = v.Code }));
            context.ResponseTrailers.Add(ViolationsTrailer, Google.Protobuf.MessageExtensions.ToByteArray(response));
            var kind = forbidden ? ErrorKind.PolicyViolation : ErrorKind.Validation;
            throw new RpcException(new Status(kind.ToGrpcStatus(), forbidden ? "The request is not allowed by policy." : "The request is not valid."));
        }

        if (reply.Refusal is not null)
        {
            context.ResponseTrailers.Add(NotStartedTrailer, "true");
        }

        return reply.Refusal switch
        {
            RunRefusal.QueueFull => throw new RpcException(new Status(StatusCode.ResourceExhausted, "The executor's run queue is full.")),
            RunRefusal.ShuttingDown => throw new RpcException(new Status(StatusCode.Unavailable, "The executor is shutting down.")),
            _ => ProtoMapper.ToResult(reply.Run!, reply.Result!, runs.Name),
        };
    }

    private sealed class ChannelSink(ChannelWriter<OutputChunk> writer) : IOutputSink
    {
        public ValueTask WriteAsync(bool stderr, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken) =>
            writer.WriteAsync(ProtoMapper.ToChunk(stderr, chunk), cancellationToken);
    }
}
