using Phoenix.Cli.Common;
using Phoenix.Cli.Exec;

namespace Phoenix.Cli.Tests.Exec;

public sealed class ExecRequestTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("phoenix-exec-").FullName;

    [Fact]
    public void Build_CommandAndArgs_SplitsTheFirstWordOff()
    {
        var request = ExecRequest.Build(["python3", "-c", "print(1)"], [], [], null, null, null);

        Assert.Equal("python3", request.Command);
        Assert.Equal(["-c", "print(1)"], request.Args);
        Assert.Null(request.Env);
        Assert.Null(request.Files);
        Assert.Null(request.Limits);
    }

    [Fact]
    public void Build_EnvWithEqualsInValue_SplitsAtTheFirstEquals()
    {
        var request = ExecRequest.Build(["env"], ["A=1=2", "EMPTY="], [], null, null, null);

        Assert.Equal("1=2", request.Env!["A"]);
        Assert.Equal(string.Empty, request.Env["EMPTY"]);
    }

    [Theory]
    [InlineData("NOVALUE")]
    [InlineData("=value")]
    public void Build_MalformedEnv_IsAUsageError(string pair)
    {
        var e = Assert.Throws<CliException>(() => ExecRequest.Build(["env"], [pair], [], null, null, null));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("NAME=VALUE", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_NoCommand_IsAUsageError()
    {
        var e = Assert.Throws<CliException>(() => ExecRequest.Build([], [], [], null, null, null));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Fact]
    public void ReadFile_TextWithRemoteName_IsSentAsUtf8UnderThatName()
    {
        var local = Path.Combine(_dir, "main.py");
        File.WriteAllText(local, "print('é')\n");

        var file = ExecFile.Read($"{local}:src/app.py");

        Assert.Equal(new ExecFile("src/app.py", "print('é')\n", "utf8"), file);
    }

    [Fact]
    public void ReadFile_BinaryWithoutRemoteName_IsSentAsBase64UnderItsOwnName()
    {
        var local = Path.Combine(_dir, "blob.bin");
        byte[] bytes = [0xff, 0xfe, 0x00, 0x80];
        File.WriteAllBytes(local, bytes);

        var file = ExecFile.Read(local);

        Assert.Equal("blob.bin", file.Path);
        Assert.Equal("base64", file.Encoding);
        Assert.Equal(bytes, Convert.FromBase64String(file.Content));
    }

    [Fact]
    public void ReadFile_Missing_IsAUsageErrorNamingIt()
    {
        var e = Assert.Throws<CliException>(() => ExecFile.Read(Path.Combine(_dir, "nope.txt") + ":x"));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Contains("nope.txt", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    public void Limits_NonPositiveTimeout_IsAUsageError(double seconds)
    {
        Assert.Throws<CliException>(() => ExecLimits.From(seconds, null, null, null));
    }

    [Fact]
    public void Limits_FractionalTimeout_RoundsUpToMilliseconds()
    {
        Assert.Equal(1501, ExecLimits.From(1.5005, 64, null, null)!.TimeoutMs);
        Assert.Null(ExecLimits.From(null, null, null, null));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
