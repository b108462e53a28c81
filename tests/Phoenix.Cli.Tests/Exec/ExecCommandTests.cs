using System.Text.Json;
using Phoenix.Cli.Exec;
using Phoenix.Cli.Tests.Support;
using Phoenix.Testing;

namespace Phoenix.Cli.Tests.Exec;

public sealed class ExecCommandTests
{
    [Theory]
    [InlineData("""{"status":"succeeded","exitCode":0}""", 0)]
    [InlineData("""{"status":"failed","exitCode":3}""", 3)]
    [InlineData("""{"status":"timed_out","exitCode":null,"signal":9}""", 124)]
    [InlineData("""{"status":"killed","exitCode":null,"signal":15}""", 143)]
    [InlineData("""{"status":"memory_limit","exitCode":null,"signal":null}""", 137)]
    [InlineData("""{"status":"sandbox_error","exitCode":null}""", 125)]
    public void ExitCode_RunResult_FollowsTimeoutAndShellConventions(string json, int expected)
    {
        using var result = JsonDocument.Parse(json);

        Assert.Equal(expected, ExecCommand.ExitCode(result.RootElement));
    }

    [Fact]
    public async Task Exec_NoGatewayListening_Exits125WithAHintAndNoStackTrace()
    {
        var dir = Directory.CreateTempSubdirectory("phoenix-exec-").FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "dev-api-key"), "phx_test\n");
        try
        {
            var result = await PhoenixCli.RunInProcessAsync("exec", "--data-dir", dir, "--url", $"http://127.0.0.1:{FreePorts.Next()}", "--", "true");

            Assert.Equal(125, result.ExitCode);
            Assert.Contains("Cannot reach the gateway", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("phoenix up", result.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Exec_NoKeyAnywhere_SaysWhereAKeyComesFrom()
    {
        var dir = Directory.CreateTempSubdirectory("phoenix-exec-").FullName;
        try
        {
            var result = await PhoenixCli.RunInProcessAsync("exec", "--data-dir", dir, "--url", $"http://127.0.0.1:{FreePorts.Next()}", "--", "true");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("PHOENIX_API_KEY", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Exec_BadUrl_IsAUsageError()
    {
        var result = await PhoenixCli.RunInProcessAsync("exec", "--url", "ftp://example", "--", "true");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("not an http(s) URL", result.Stderr, StringComparison.Ordinal);
    }
}
