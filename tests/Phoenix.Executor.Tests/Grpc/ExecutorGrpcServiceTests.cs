using System.Runtime.Versioning;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Phoenix.Contracts.Executor;
using Phoenix.Executor.Tests.Support;

namespace Phoenix.Executor.Tests.Grpc;

[SupportedOSPlatform("linux")]
public sealed class ExecutorGrpcServiceTests(ExecutorFixture fixture) : IClassFixture<ExecutorFixture>
{
    private ExecutorHost Host => fixture.Host;

    [Fact]
    public async Task Execute_Python_SucceedsWithOutputUsageAndExecutorName()
    {
        var result = await Host.RunAsync("python3", "-c", "print(6*7)");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("42\n", result.Stdout);
        Assert.Equal("executor-0", result.Executor);
        Assert.True(result.Usage.WallMs > 0);
        Assert.True(result.Usage.PeakMemoryBytes > 0);
        Assert.Empty(Host.Workdirs());
        Assert.Empty(Host.Cgroups());
    }

    [Fact]
    public async Task Execute_NonZeroExit_IsFailedWithExitCodeAndStderr()
    {
        var result = await Host.ShAsync("echo oops >&2; exit 3");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal("oops\n", result.Stderr);
    }

    [Fact]
    public async Task Execute_StdinFilesEnvAndWorkingDirectory_AreAllVisibleToTheCommand()
    {
        var request = new ExecuteRequest
        {
            Command = "sh",
            Stdin = "from stdin",
            WorkingDirectory = "src",
        };
        request.Args.Add(["-c", "cat; echo; cat main.txt; echo \"$GREETING\"; pwd; id -u"]);
        request.Env.Add("GREETING", "hello");
        request.Files.Add(new InputFile { Path = "src/main.txt", Content = ByteString.CopyFromUtf8("file content\n") });

        var result = await Host.Client.ExecuteAsync(request);

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("from stdin\nfile content\nhello\n/work/src\n1000\n", result.Stdout);
    }

    [Fact]
    public async Task Execute_SleepPastTimeout_IsTimedOutAndLeavesNothing()
    {
        var request = new ExecuteRequest { Command = "sleep", Limits = new Limits { TimeoutMs = 500 } };
        request.Args.Add("30");

        var result = await Host.Client.ExecuteAsync(request);

        Assert.Equal(RunStatus.TimedOut, result.Status);
        Assert.Empty(Host.Workdirs());

        // A run's processes cannot leave its cgroup, and the executor removes the cgroup only once it is empty: no
        // cgroup left means no process left. (The hostile battery also checks the sandbox uid, in a collection of its
        // own; here other test classes run sandboxes under the same uid at the same time.)
        Assert.Empty(Host.Cgroups());
    }

    [Fact]
    public async Task Execute_OutputFlood_IsOutputLimitTruncatedAtCap()
    {
        var request = new ExecuteRequest { Command = "sh", Limits = new Limits { MaxOutputBytes = 4096 } };
        request.Args.Add(["-c", "yes flood"]);

        var result = await Host.Client.ExecuteAsync(request);

        Assert.Equal(RunStatus.OutputLimit, result.Status);
        Assert.True(result.StdoutTruncated);
        Assert.Equal(4096, Encoding.UTF8.GetByteCount(result.Stdout));
    }

    [Fact]
    public async Task Execute_InvalidUtf8Output_IsReplaced()
    {
        var result = await Host.ShAsync("printf 'a\\377b'");

        Assert.Equal("a\uFFFDb", result.Stdout);
    }

    [Fact]
    public async Task Execute_CommandNotAllowed_PermissionDeniedWithFieldViolation()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.RunAsync("nc", "-l", "4444"));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        var violation = Assert.Single(ExecutorHost.Violations(ex).Violations);
        Assert.Equal("command", violation.Field);
        Assert.Equal("policy.command_not_allowed", violation.Code);
    }

    [Fact]
    public async Task Execute_SeveralProblems_InvalidArgumentListingEach()
    {
        var request = new ExecuteRequest { Command = "sh", Limits = new Limits { TimeoutMs = 999_999_999 } };
        request.Files.Add(new InputFile { Path = "../escape.txt" });
        request.Env.Add("1BAD", "x");

        var ex = await Assert.ThrowsAsync<RpcException>(() => Host.Client.ExecuteAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var fields = ExecutorHost.Violations(ex).Violations.Select(v => v.Field).ToHashSet();
        Assert.Contains("files[0].path", fields);
        Assert.Contains("env.1BAD", fields);
        Assert.Contains("limits.timeoutMs", fields);
        Assert.Empty(Host.Workdirs());
    }

    [Fact]
    public async Task Validate_AllowedRequest_ReportsResolvedPathAndAppliedLimitsWithoutRunning()
    {
        var request = new ExecuteRequest { Command = "python3" };

        var response = await Host.Client.ValidateAsync(request);

        Assert.True(response.Valid);
        Assert.Equal("/usr/bin/python3", response.ResolvedCommand);
        Assert.Equal(10_000u, response.AppliedLimits.TimeoutMs);
        Assert.Equal(512u, response.AppliedLimits.MemoryMb);
    }

    [Fact]
    public async Task Validate_LdPreload_ReportedAsForbiddenEnv()
    {
        var request = new ExecuteRequest { Command = "sh" };
        request.Env.Add("LD_PRELOAD", "/work/evil.so");

        var response = await Host.Client.ValidateAsync(request);

        Assert.False(response.Valid);
        Assert.Equal("policy.env_denied", Assert.Single(response.Violations).Code);
    }

    [Fact]
    public async Task ExecuteStream_Output_ChunksThenOneResult()
    {
        var request = new ExecuteRequest { Command = "sh" };
        request.Args.Add(["-c", "echo one; echo two >&2; echo three"]);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        ExecuteResult? result = null;

        using var call = Host.Client.ExecuteStream(request);
        await foreach (var item in call.ResponseStream.ReadAllAsync())
        {
            Assert.Null(result);
            if (item.EventCase == ExecuteEvent.EventOneofCase.Output)
            {
                (item.Output.Stream == OutputStream.Stderr ? stderr : stdout).Append(item.Output.Data.ToStringUtf8());
            }
            else
            {
                result = item.Result;
            }
        }

        Assert.Equal("one\nthree\n", stdout.ToString());
        Assert.Equal("two\n", stderr.ToString());
        Assert.Equal(RunStatus.Succeeded, result!.Status);
        Assert.Equal("one\nthree\n", result.Stdout);
    }

    [Fact]
    public async Task ExecuteStream_ClientCancels_RunIsKilledAndNothingLeft()
    {
        var request = new ExecuteRequest { Command = "sh", Limits = new Limits { TimeoutMs = 60_000 } };
        request.Args.Add(["-c", "echo started; sleep 50"]);
        using var cts = new CancellationTokenSource();

        using (var call = Host.Client.ExecuteStream(request, cancellationToken: cts.Token))
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal("started\n", call.ResponseStream.Current.Output.Data.ToStringUtf8());
            await cts.CancelAsync();
        }

        await Eventually.TrueAsync(() => Host.Workdirs().Count == 0 && Host.Cgroups().Count == 0);
    }
}
