using Google.Protobuf;
using Grpc.Core;
using Phoenix.Contracts.Executor;

namespace Phoenix.Executor.Tests.Sandbox;

// Hostile requests: refused before anything runs (the helper then checks no workdir was even made).
public abstract partial class HostileBatteryTests
{
    [Theory]
    [InlineData("LD_PRELOAD")]
    [InlineData("LD_LIBRARY_PATH")]
    [InlineData("BASH_ENV")]
    [InlineData("PYTHONSTARTUP")]
    [InlineData("NODE_OPTIONS")]
    [InlineData("PATH")]
    public async Task Execute_LoaderOrStartupVariable_PermissionDeniedAndNothingRuns(string name)
    {
        var request = Sh("echo ran > /work/ran");
        request.Env.Add(name, "/work/evil");

        await AssertRefusedAsync(request, StatusCode.PermissionDenied, "env." + name, "policy.env_denied");

        Assert.Empty(Host.Workdirs());
        await AssertLeavesNothingAsync();
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a\\b")]
    [InlineData("a\0b")]
    public async Task Execute_FileNameEscapingTheWorkdir_InvalidArgument(string path)
    {
        var request = Sh("true");
        request.Files.Add(new InputFile { Path = path, Content = ByteString.CopyFromUtf8("pwned") });

        await AssertRefusedAsync(request, StatusCode.InvalidArgument, "files[0].path", "validation.path");

        Assert.Empty(Host.Workdirs());
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_TooManyArgs_InvalidArgument()
    {
        var request = Request("echo", null, Enumerable.Range(0, 300).Select(i => "a" + i).ToArray());

        await AssertRefusedAsync(request, StatusCode.InvalidArgument, "args", "validation.too_many_args");
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_HugeArg_InvalidArgument()
    {
        var request = Request("echo", null, new string('a', 300 * 1024));

        await AssertRefusedAsync(request, StatusCode.InvalidArgument, "args", "validation.args_too_large");
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_NulInArg_InvalidArgument()
    {
        await AssertRefusedAsync(Sh("echo a\0b"), StatusCode.InvalidArgument, "args[1]", "validation.nul");
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_NulInEnvValue_InvalidArgument()
    {
        var request = Sh("echo $GREETING");
        request.Env.Add("GREETING", "a\0b");

        await AssertRefusedAsync(request, StatusCode.InvalidArgument, "env.GREETING", "validation.nul");
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_NulInCommand_InvalidArgument()
    {
        await AssertRefusedAsync(Request("sh\0", null, "-c", "true"), StatusCode.InvalidArgument, "command", "validation.control_characters");
        await AssertLeavesNothingAsync();
    }

    [Fact]
    public async Task Execute_CommandGivenAsPath_PermissionDenied()
    {
        await AssertRefusedAsync(Request("/bin/sh", null, "-c", "true"), StatusCode.PermissionDenied, "command", "policy.command_is_path");
        await AssertLeavesNothingAsync();
    }
}
