using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Phoenix.Testing;

namespace Phoenix.Operations.Tests.Tracing;

/// <summary>With <c>Phoenix:Logging:Format = Text</c>, the one-line console logs carry the request's trace id too.</summary>
// One stack at a time: each is two services and their sandboxes on a small machine.
[Collection("Tracing stacks")]
public sealed class TextLogTracingTests
{
    [Fact]
    public async Task Execute_TextConsoleLogs_LinesOfTheRequestCarryItsTraceIdInBothServices()
    {
        await using var stack = await PhoenixStack.StartAsync(new PhoenixStackOptions
        {
            Environment = new Dictionary<string, string?>
            {
                ["Phoenix__Logging__Format"] = "Text",
                ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
            },
        });

        using var response = await stack.ExecuteAsync("echo", "text");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        var traceId = json.RootElement.GetProperty("traceId").GetString()!;
        var runId = json.RootElement.GetProperty("id").GetString()!;

        var gateway = await WaitForLineAsync(stack.Gateway!, l => l.Contains("Request finished", StringComparison.Ordinal) && l.Contains("/api/v1/execute", StringComparison.Ordinal));
        var executorRun = await WaitForLineAsync(stack.Executors[0].Process!, l => l.Contains($"Run {runId} finished", StringComparison.Ordinal));

        Assert.Contains($"TraceId:{traceId}", gateway, StringComparison.Ordinal);
        Assert.Contains($"TraceId:{traceId}", executorRun, StringComparison.Ordinal);
        var starting = Assert.Single(stack.Gateway!.Lines, l => l.Contains("Request starting", StringComparison.Ordinal) && l.Contains("/api/v1/execute", StringComparison.Ordinal));
        Assert.Contains($"TraceId:{traceId}", starting, StringComparison.Ordinal);
    }

    private static async Task<string> WaitForLineAsync(ServiceProcess process, Func<string, bool> match)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{process.Name} did not print the awaited line. Output:\n{process.Tail()}");
    }
}
