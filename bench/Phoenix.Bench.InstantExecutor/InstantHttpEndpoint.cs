using System.Diagnostics;

namespace Phoenix.Bench.InstantExecutor;

/// <summary><c>POST /api/v1/execute</c>: reads the whole body, then answers the gateway's JSON for a succeeded run.</summary>
internal static class InstantHttpEndpoint
{
    private static long _runs;

    public static long Runs => Interlocked.Read(ref _runs);

    public static async Task ExecuteAsync(HttpContext context)
    {
        Interlocked.Increment(ref _runs);
        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                break;
            }
        }

        var traceId = Activity.Current?.TraceId.ToHexString() ?? ActivityTraceId.CreateRandom().ToHexString();
        await context.Response.WriteAsJsonAsync(InstantResults.Response(traceId), InstantJsonContext.Default.InstantResponse, cancellationToken: context.RequestAborted);
    }
}
