using System.Net;
using System.Text.Json;
using Phoenix.Testing;

namespace Phoenix.Operations.Tests;

/// <summary>The process harness the operations tests stand on: a real executor and gateway, one run through both.</summary>
public sealed class StackSmokeTests
{
    [Fact]
    public async Task A_run_through_the_gateway_process_reaches_a_sandbox_in_the_executor_process()
    {
        await using var stack = await PhoenixStack.StartAsync();

        using var response = await stack.ExecuteAsync("sh", "-c", "echo $((6*7))");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var json = JsonDocument.Parse(body);
        Assert.Equal("succeeded", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("42\n", json.RootElement.GetProperty("stdout").GetString());
    }
}
