using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Phoenix.Contracts.Executor;

namespace Phoenix.Bench.Tests;

/// <summary>The instant backend answers the executor contract (what the gateway calls) and the equivalent JSON endpoint.</summary>
public sealed class InstantBackendTests(InstantBackendFixture fixture) : IClassFixture<InstantBackendFixture>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Backend.GrpcAddress);

    [Fact]
    public async Task Execute_AnyRequest_SucceededWithTheCallersRunId()
    {
        var client = new Executor.ExecutorClient(_channel);

        var result = await client.ExecuteAsync(new ExecuteRequest { RunId = "run-1", Command = "python3" });

        Assert.Equal(("run-1", RunStatus.Succeeded, 0), (result.RunId, result.Status, result.ExitCode));
        Assert.False(string.IsNullOrEmpty(result.Executor));
    }

    [Fact]
    public async Task ExecuteStream_AnyRequest_OutputThenExactlyOneResult()
    {
        var client = new Executor.ExecutorClient(_channel);
        using var call = client.ExecuteStream(new ExecuteRequest { RunId = "run-2", Command = "python3" });

        var events = new List<ExecuteEvent>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            events.Add(call.ResponseStream.Current);
        }

        Assert.Equal([ExecuteEvent.EventOneofCase.Output, ExecuteEvent.EventOneofCase.Result], events.Select(e => e.EventCase));
        Assert.Equal(RunStatus.Succeeded, events[^1].Result.Status);
    }

    [Fact]
    public async Task Validate_AnyRequest_ValidWithAResolvedCommand()
    {
        var client = new Executor.ExecutorClient(_channel);

        var response = await client.ValidateAsync(new ExecuteRequest { Command = "python3" });

        Assert.True(response.Valid);
        Assert.Equal("/usr/bin/python3", response.ResolvedCommand);
    }

    [Fact]
    public async Task HealthCheck_Started_Serving()
    {
        // The gateway sends no run to an executor whose overall gRPC health is not SERVING.
        var response = await new Health.HealthClient(_channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task HttpExecute_Post_SucceededInTheGatewaysShape()
    {
        using var http = new HttpClient { BaseAddress = fixture.Backend.HttpAddress };

        using var response = await http.PostAsJsonAsync("/api/v1/execute", new { command = "python3", args = new[] { "-c", "print(1)" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal("succeeded", root.GetProperty("status").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
        foreach (var field in new[] { "id", "signal", "stdout", "stderr", "stdoutTruncated", "stderrTruncated", "usage", "executor", "traceId" })
        {
            Assert.True(root.TryGetProperty(field, out _), field);
        }
    }

    public void Dispose() => _channel.Dispose();
}
