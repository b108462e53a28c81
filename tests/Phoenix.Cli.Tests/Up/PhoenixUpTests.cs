using System.Text.Json;
using Phoenix.Cli.Tests.Support;
using Phoenix.Testing;

namespace Phoenix.Cli.Tests.Up;

/// <summary>
/// Issue 5 end to end, with real processes: <c>phoenix up</c> in the background (one for the class) → <c>phoenix exec</c>
/// → <c>phoenix audit</c> → <c>phoenix keys disable</c> makes that key fail with 401. Crash and Ctrl-C:
/// <see cref="PhoenixUpLifecycleTests"/>.
/// </summary>
public sealed class PhoenixUpTests(RunningPhoenix phoenix) : IClassFixture<RunningPhoenix>
{
    private ServiceProcess Up => phoenix.Up;

    private string DataDir => phoenix.DataDir;

    private int Port => phoenix.Port;

    private Dictionary<string, string?> CliEnvironment => phoenix.CliEnvironment;

    [Fact]
    public async Task Up_FirstStart_CreatesThePrivateDevKeyAndPrintsHowToCallIt()
    {
        var keyFile = Path.Combine(DataDir, "dev-api-key");
        var key = (await File.ReadAllTextAsync(keyFile)).Trim();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        Assert.DoesNotContain(key, await File.ReadAllTextAsync(Path.Combine(DataDir, "keys.json")), StringComparison.Ordinal);
        Assert.Single(Up.Lines, l => l.Contains(key, StringComparison.Ordinal));
        Assert.Contains(Up.Lines, l => l.Contains($"curl -s -X POST http://127.0.0.1:{Port}/api/v1/execute", StringComparison.Ordinal));
        Assert.Contains(Up.Lines, l => l.Contains("phoenix exec -- python3 -c 'print(6*7)'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exec_ThroughUp_StreamsOutputAndExitsWithTheCommandsCode()
    {
        var result = await PhoenixCli.RunAsync(["exec", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], CliEnvironment);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Equal("out\n", result.Stdout);
        Assert.StartsWith("err\n", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("failed · exit 3", result.Stderr, StringComparison.Ordinal);

        var python = await PhoenixCli.RunAsync(["exec", "--", "python3", "-c", "print(6*7)"], CliEnvironment);
        Assert.True(python.ExitCode == 0, python.ToString());
        Assert.Equal("42\n", python.Stdout);
    }

    [Fact]
    public async Task Exec_Timeout_Exits124LikeTimeout1()
    {
        var result = await PhoenixCli.RunAsync(["exec", "--timeout", "1", "--", "sleep", "30"], CliEnvironment);

        Assert.True(result.ExitCode == 124, result.ToString());
        Assert.Contains("timed_out", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_FilesStdinAndEnv_ReachTheCommand()
    {
        var local = Path.Combine(DataDir, "input.txt");
        await File.WriteAllTextAsync(local, "from a file\n");

        var result = await PhoenixCli.RunAsync(
            ["exec", "--file", $"{local}:data/in.txt", "--env", "GREETING=hello there", "--stdin", "-q", "--", "sh", "-c", "cat data/in.txt; echo \"$GREETING\"; cat"],
            CliEnvironment,
            stdin: "from stdin\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("from a file\nhello there\nfrom stdin\n", result.Stdout);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task Exec_CommandNotAllowed_Exits126WithThePolicyMessage()
    {
        var result = await PhoenixCli.RunAsync(["exec", "--", "nc", "-l", "80"], CliEnvironment);

        Assert.True(result.ExitCode == 126, result.ToString());
        Assert.Contains("403", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_AfterRuns_ShowsThemAsTableAndJson()
    {
        var run = await PhoenixCli.RunAsync(["exec", "-q", "--", "sh", "-c", "exit 7"], CliEnvironment);
        Assert.True(run.ExitCode == 7, run.ToString());

        var table = await PhoenixCli.RunAsync(["audit"], CliEnvironment);
        var json = await PhoenixCli.RunAsync(["audit", "--json", "--status", "failed"], CliEnvironment);

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("│ dev ", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("failed", table.Stdout, StringComparison.Ordinal);
        var records = json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(records, r => r.GetProperty("command").GetString() == "sh" && r.GetProperty("exitCode").GetInt32() == 7);
        Assert.All(records, r => Assert.Equal("failed", r.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task KeysDisable_WhileUp_MakesTheNextCallWithThatKeyFailWith401()
    {
        var created = await PhoenixCli.RunAsync(["keys", "create", "--name", "ci"], CliEnvironment);
        var key = created.Stdout.Trim();
        var withKey = new Dictionary<string, string?>(CliEnvironment) { ["PHOENIX_API_KEY"] = key };
        await RunningPhoenix.Eventually(async () => (await PhoenixCli.RunAsync(["exec", "-q", "--", "true"], withKey)).ExitCode == 0, "the new key to be accepted");

        var disabled = await PhoenixCli.RunAsync(["keys", "disable", "ci"], CliEnvironment);
        Assert.Equal(0, disabled.ExitCode);

        CliResult last = null!;
        await RunningPhoenix.Eventually(async () => (last = await PhoenixCli.RunAsync(["exec", "-q", "--", "true"], withKey)).ExitCode != 0, "the disabled key to be refused");
        Assert.Equal(125, last.ExitCode);
        Assert.Contains("401", last.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await PhoenixCli.RunAsync(["exec", "-q", "--", "true"], CliEnvironment)).ExitCode);
    }
}
