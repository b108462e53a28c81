namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>Policy-violating requests: commands off the allowlist, paths as commands, denied environment names, escapes from the workdir.</summary>
public sealed partial class HostileRequestTests
{
    [Theory]
    [InlineData("nc")]
    [InlineData("curl")]
    [InlineData("wget")]
    [InlineData("sudo")]
    [InlineData("su")]
    [InlineData("ssh")]
    [InlineData("chroot")]
    [InlineData("nsenter")]
    [InlineData("python")]
    [InlineData("perl")]
    [InlineData("SH")]
    [InlineData("sh ")]
    [InlineData(" sh")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("echo;nc")]
    [InlineData("$(nc)")]
    [InlineData("`nc`")]
    [InlineData("*")]
    [InlineData("~")]
    public async Task Execute_CommandNotAllowed_Is403WithCommandError(string command)
    {
        var response = await PostJsonAsync(Execute, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["command"] = command, ["args"] = new[] { "-h" } }));

        var problem = Expect(response, 403);
        HostileAssert.HasFieldError(problem, "command", response);
    }

    [Theory]
    [InlineData("/bin/sh")]
    [InlineData("/sbin/nc")]
    [InlineData("../../bin/sh")]
    [InlineData("./sh")]
    [InlineData("bin/sh")]
    public async Task Execute_PathAsCommand_IsRefusedWithCommandError(string command)
    {
        var response = await PostJsonAsync(Execute, $$"""{"command":"{{command}}"}""");

        // The schema forbids '/' in command (400); a policy check would say 403. Either way: not run, field named.
        var problem = Expect(response, 400, 403);
        HostileAssert.HasFieldError(problem, "command", response);
    }

    [Theory]
    [InlineData("LD_PRELOAD")]
    [InlineData("LD_LIBRARY_PATH")]
    [InlineData("LD_AUDIT")]
    [InlineData("PATH")]
    [InlineData("BASH_ENV")]
    [InlineData("PYTHONSTARTUP")]
    [InlineData("GLIBC_TUNABLES")]
    public async Task Execute_DeniedEnvName_Is403WithEnvError(string name)
    {
        var response = await PostJsonAsync(Execute, $$$"""{"command":"echo","env":{"{{{name}}}":"x"}}""");

        var problem = Expect(response, 403);
        HostileAssert.HasFieldError(problem, "env." + name, response);
    }

    [Theory]
    [InlineData("""{"command":"echo","workingDirectory":"../../etc"}""", "workingDirectory")]
    [InlineData("""{"command":"echo","workingDirectory":"/etc"}""", "workingDirectory")]
    [InlineData("""{"command":"echo","files":[{"path":"../../etc/passwd","content":"x"}]}""", "files[0].path")]
    [InlineData("""{"command":"echo","files":[{"path":"/etc/passwd","content":"x"}]}""", "files[0].path")]
    [InlineData("""{"command":"echo","limits":{"timeoutMs":3600000}}""", "limits.timeoutMs")]
    public async Task Execute_EscapeOrOverLimit_IsRefusedWithFieldError(string body, string field)
    {
        var response = await PostJsonAsync(Execute, body);

        var problem = Expect(response, 400, 403);
        HostileAssert.HasFieldError(problem, field, response);
    }

    [Fact]
    public async Task Stream_CommandNotAllowed_Is403ProblemNotAnEventStream()
    {
        var response = await PostJsonAsync("/api/v1/execute/stream", """{"command":"nc","args":["-l","9"]}""");

        var problem = Expect(response, 403);
        HostileAssert.HasFieldError(problem, "command", response);
    }
}
