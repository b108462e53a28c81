using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.Json;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Api;

/// <summary>One trace per request: the trace id in the response is the one the executor's sandbox run span carries.</summary>
[SupportedOSPlatform("linux")]
public sealed class TracePropagationTests
{
    [Fact]
    public async Task Execute_TraceparentFromClient_SameTraceIdInResponseAndExecutorSandboxSpan()
    {
        var runs = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Phoenix.Executor",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "sandbox.run")
                {
                    runs.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var stack = await GatewayStack.StartAsync();
        using var client = stack.Client();
        // The caller's span: HttpClient propagates its trace context (W3C traceparent) to the gateway.
        using var caller = new Activity("test-client").SetIdFormat(ActivityIdFormat.W3C).Start();
        var traceId = caller.TraceId;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/execute")
        {
            Content = GatewayStack.Json("""{"command":"echo","args":["traced"]}"""),
        };

        using var response = await client.SendAsync(request);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(traceId.ToHexString(), body.RootElement.GetProperty("traceId").GetString());
        var run = Assert.Single(runs, a => a.TraceId == traceId);
        Assert.Equal("echo", run.GetTagItem("process.executable.name"));
        Assert.Equal("succeeded", run.GetTagItem("phoenix.run.status"));
    }
}
