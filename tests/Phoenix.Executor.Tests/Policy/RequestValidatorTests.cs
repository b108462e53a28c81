using System.Runtime.Versioning;
using System.Text;
using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Tests.Policy;

[SupportedOSPlatform("linux")]
public sealed class RequestValidatorTests
{
    private static readonly ExecutionPolicy DefaultPolicy = ExecutionPolicy.Resolve(new PolicyOptions { Commands = ["sh", "echo"] });

    public static TheoryData<string> DeniedEnvNames => new(PolicyOptions.DefaultDeniedEnvNames);

    public static TheoryData<string> BadPaths => new(
        "/etc/passwd",
        "/",
        "//x",
        "../escape",
        "a/../b",
        "a/..",
        "..",
        "a\\b",
        "\\x",
        "a\0b",
        "a\tb",
        "a\nb",
        "a\u007fb",
        "",
        ".",
        "./",
        "./.",
        ".//./",
        new string('x', 256));

    public static TheoryData<string, int> LimitFields => new()
    {
        { "limits.timeoutMs", 60_000 },
        { "limits.memoryMb", 2_048 },
        { "limits.cpuPercent", 100 },
        { "limits.maxProcesses", 64 },
        { "limits.maxOutputBytes", 16_777_216 },
    };

    [Fact]
    public void Check_MinimalAllowedRequest_ResolvesCommandAndAppliesDefaults()
    {
        var decision = Check(new RunRequest { Command = "sh" });

        Assert.True(decision.Allowed);
        Assert.Empty(decision.Violations);
        var run = decision.Run!;
        Assert.Equal("sh", run.CommandName);
        Assert.True(Path.IsPathFullyQualified(run.CommandPath));
        Assert.EndsWith("/sh", run.CommandPath, StringComparison.Ordinal);
        Assert.Equal(new RunLimits(10_000, 512, 50, 5, 1_048_576), run.Limits);
        Assert.Equal(string.Empty, run.WorkingDirectory);
        Assert.Null(run.Stdin);
    }

    [Fact]
    public void Check_CommandMissing_IsRequiredAndNotForbidden()
    {
        var violation = Assert.Single(Check(new RunRequest()).Violations);

        Assert.Equal("command", violation.Field);
        Assert.Equal("validation.required", violation.Code);
        Assert.False(violation.Forbidden);
    }

    [Theory]
    [InlineData("/bin/sh")]
    [InlineData("./sh")]
    [InlineData("bin/sh")]
    [InlineData("../../usr/bin/sh")]
    public void Check_CommandIsPath_IsForbidden(string command)
    {
        var decision = Check(new RunRequest { Command = command });

        var violation = Assert.Single(decision.Violations);
        Assert.Equal("command", violation.Field);
        Assert.Equal("policy.command_is_path", violation.Code);
        Assert.True(decision.Forbidden);
    }

    [Theory]
    [InlineData("nc")]
    [InlineData("python3")]
    [InlineData("SH")]
    [InlineData("sh ")]
    public void Check_CommandNotAllowed_IsForbidden(string command)
    {
        var decision = Check(new RunRequest { Command = command });

        var violation = Assert.Single(decision.Violations);
        Assert.Equal("command", violation.Field);
        Assert.Equal("policy.command_not_allowed", violation.Code);
        Assert.True(violation.Forbidden);
        Assert.Null(decision.Run);
    }

    [Theory]
    [InlineData("sh\0")]
    [InlineData("sh\n")]
    [InlineData("\u001bsh")]
    [InlineData("s\u0085h")]
    public void Check_CommandWithControlCharacters_IsInvalidNotForbidden(string command)
    {
        var decision = Check(new RunRequest { Command = command });

        var violation = Assert.Single(decision.Violations);
        Assert.Equal("command", violation.Field);
        Assert.Equal("validation.control_characters", violation.Code);
        Assert.False(decision.Forbidden);
    }

    [Fact]
    public void Check_ArgsAtCount_Allowed()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxArgs = 2 });

        Assert.True(Check(new RunRequest { Command = "sh", Args = ["a", "b"] }, policy).Allowed);
    }

    [Fact]
    public void Check_ArgsOverCount_TooManyArgs()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxArgs = 2 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Args = ["a", "b", "c"] }, policy).Violations);

        Assert.Equal("args", violation.Field);
        Assert.Equal("validation.too_many_args", violation.Code);
        Assert.False(violation.Forbidden);
    }

    [Fact]
    public void Check_ArgsTotalAtCap_Allowed()
    {
        // Each argument counts its UTF-8 bytes plus its terminating NUL.
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxTotalArgBytes = 1_024 });

        Assert.True(Check(new RunRequest { Command = "sh", Args = [new string('a', 511), new string('b', 511)] }, policy).Allowed);
    }

    [Fact]
    public void Check_ArgsTotalOverCap_ArgsTooLarge()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxTotalArgBytes = 1_024 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Args = [new string('a', 511), new string('b', 512)] }, policy).Violations);

        Assert.Equal("args", violation.Field);
        Assert.Equal("validation.args_too_large", violation.Code);
    }

    [Fact]
    public void Check_ArgsTotalCountsUtf8Bytes_MultiByteOverCap()
    {
        // 512 two-byte characters + NUL = 1 025 bytes, though only 512 characters.
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxTotalArgBytes = 1_024 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Args = [new string('é', 512)] }, policy).Violations);

        Assert.Equal("validation.args_too_large", violation.Code);
    }

    [Fact]
    public void Check_NulInArg_ReportsThatArg()
    {
        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Args = ["-c", "echo\0hidden"] }).Violations);

        Assert.Equal("args[1]", violation.Field);
        Assert.Equal("validation.nul", violation.Code);
    }

    [Fact]
    public void Check_StdinAtCap_AllowedAndEncoded()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxStdinBytes = 4 });

        var decision = Check(new RunRequest { Command = "sh", Stdin = "éé" }, policy);

        Assert.True(decision.Allowed);
        Assert.Equal(Encoding.UTF8.GetBytes("éé"), decision.Run!.Stdin!.Value.ToArray());
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("ééé")]
    public void Check_StdinOverCap_StdinTooLarge(string stdin)
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxStdinBytes = 4 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Stdin = stdin }, policy).Violations);

        Assert.Equal("stdin", violation.Field);
        Assert.Equal("validation.stdin_too_large", violation.Code);
    }

    [Fact]
    public void Check_EmptyStdin_IsKeptAsEmptyNotAbsent()
    {
        var decision = Check(new RunRequest { Command = "sh", Stdin = string.Empty });

        Assert.True(decision.Run!.Stdin.HasValue);
        Assert.Equal(0, decision.Run.Stdin!.Value.Length);
    }

    [Theory]
    [InlineData("1BAD")]
    [InlineData("A-B")]
    [InlineData("A B")]
    [InlineData("A=B")]
    [InlineData("É")]
    [InlineData("")]
    [InlineData("A\0")]
    [InlineData("A\n")]
    public void Check_EnvNameNotMatchingRegex_EnvNameViolation(string name)
    {
        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Env = Env((name, "x")) }).Violations);

        Assert.StartsWith("env.", violation.Field, StringComparison.Ordinal);
        Assert.Equal("validation.env_name", violation.Code);
        Assert.False(violation.Forbidden);
    }

    [Theory]
    [InlineData("_")]
    [InlineData("_A1")]
    [InlineData("greeting")]
    [InlineData("LANG")]
    [InlineData("LD")]
    [InlineData("OLD_PWD")]
    public void Check_EnvNameValidAndNotDenied_Allowed(string name)
    {
        var decision = Check(new RunRequest { Command = "sh", Env = Env((name, "v")) });

        Assert.True(decision.Allowed);
        Assert.Equal("v", decision.Run!.Env[name]);
    }

    [Theory]
    [InlineData("LD_PRELOAD")]
    [InlineData("LD_LIBRARY_PATH")]
    [InlineData("LD_AUDIT")]
    [InlineData("LD_")]
    [InlineData("LD_ANYTHING_NEW")]
    public void Check_EnvLdPrefix_ForbiddenEnvDenied(string name)
    {
        var decision = Check(new RunRequest { Command = "sh", Env = Env((name, "/work/evil.so")) });

        var violation = Assert.Single(decision.Violations);
        Assert.Equal($"env.{name}", violation.Field);
        Assert.Equal("policy.env_denied", violation.Code);
        Assert.True(decision.Forbidden);
    }

    [Theory]
    [MemberData(nameof(DeniedEnvNames))]
    public void Check_EnvDefaultDeniedName_ForbiddenEnvDenied(string name)
    {
        var decision = Check(new RunRequest { Command = "sh", Env = Env((name, "x")) });

        var violation = Assert.Single(decision.Violations);
        Assert.Equal($"env.{name}", violation.Field);
        Assert.Equal("policy.env_denied", violation.Code);
        Assert.True(violation.Forbidden);
    }

    [Fact]
    public void Check_ConfiguredDeniedEnvNames_ReplaceDefaultButLdStaysDenied()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], DeniedEnvNames = ["SECRET"] });

        Assert.True(Check(new RunRequest { Command = "sh", Env = Env(("HOME", "/work")) }, policy).Allowed);
        Assert.Equal("policy.env_denied", Assert.Single(Check(new RunRequest { Command = "sh", Env = Env(("SECRET", "x")) }, policy).Violations).Code);
        Assert.Equal("policy.env_denied", Assert.Single(Check(new RunRequest { Command = "sh", Env = Env(("LD_PRELOAD", "x")) }, policy).Violations).Code);
    }

    [Fact]
    public void Check_NulInEnvValue_NulViolation()
    {
        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Env = Env(("A", "x\0y")) }).Violations);

        Assert.Equal("env.A", violation.Field);
        Assert.Equal("validation.nul", violation.Code);
    }

    [Fact]
    public void Check_EnvValueAtCap_Allowed()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxEnvValueBytes = 4 });

        Assert.True(Check(new RunRequest { Command = "sh", Env = Env(("A", "éé")) }, policy).Allowed);
    }

    [Fact]
    public void Check_EnvValueOverCap_EnvValueTooLarge()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxEnvValueBytes = 4 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Env = Env(("A", "ééé")) }, policy).Violations);

        Assert.Equal("env.A", violation.Field);
        Assert.Equal("validation.env_value_too_large", violation.Code);
    }

    [Fact]
    public void Check_EnvCountOverCap_TooManyEnv()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxEnvVars = 1 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Env = Env(("A", "1"), ("B", "2")) }, policy).Violations);

        Assert.Equal("env", violation.Field);
        Assert.Equal("validation.too_many_env", violation.Code);
    }

    [Theory]
    [MemberData(nameof(BadPaths))]
    public void Check_FilePathUnsafe_PathViolationForThatFile(string path)
    {
        var decision = Check(new RunRequest { Command = "sh", Files = [Input("ok.txt"), Input(path)] });

        var violation = Assert.Single(decision.Violations);
        Assert.Equal("files[1].path", violation.Field);
        Assert.Equal("validation.path", violation.Code);
        Assert.False(violation.Forbidden);
    }

    [Fact]
    public void Check_FilePathAtMaxLength_Allowed()
    {
        Assert.True(Check(new RunRequest { Command = "sh", Files = [Input("d/" + new string('x', 253))] }).Allowed);
    }

    [Fact]
    public void Check_FilePathSegmentOf256Bytes_PathViolation()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxPathLength = 4_096 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Files = [Input("dir/" + new string('é', 128))] }, policy).Violations);

        Assert.Equal("files[0].path", violation.Field);
        Assert.Equal("validation.path", violation.Code);
    }

    [Fact]
    public void Check_FilePathSegmentOf255Bytes_Allowed()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxPathLength = 4_096 });

        Assert.True(Check(new RunRequest { Command = "sh", Files = [Input("dir/" + new string('x', 255))] }, policy).Allowed);
    }

    [Theory]
    [InlineData("a//b", "a/b")]
    [InlineData("./a/./b", "a/b")]
    [InlineData("a/b/", "a/b")]
    [InlineData("...", "...")]
    [InlineData("..a/b..", "..a/b..")]
    [InlineData(".hidden", ".hidden")]
    public void Check_FilePathSafe_NormalizedInRun(string path, string normalized)
    {
        var decision = Check(new RunRequest { Command = "sh", Files = [Input(path)] });

        Assert.Equal(normalized, Assert.Single(decision.Run!.Files).Path);
    }

    [Theory]
    [InlineData("a/b", "a//b")]
    [InlineData("a/b", "./a/b")]
    [InlineData("x", "x")]
    public void Check_DuplicatePathsAfterNormalization_DuplicateViolation(string first, string second)
    {
        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Files = [Input(first), Input(second)] }).Violations);

        Assert.Equal("files[1].path", violation.Field);
        Assert.Equal("validation.duplicate_path", violation.Code);
    }

    [Theory]
    [InlineData("a", "a/b")]
    [InlineData("a/b/c", "a/b")]
    public void Check_FileAlsoUsedAsDirectory_PathConflict(string first, string second)
    {
        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Files = [Input(first), Input(second)] }).Violations);

        Assert.Equal("files", violation.Field);
        Assert.Equal("validation.path_conflict", violation.Code);
    }

    [Fact]
    public void Check_SiblingsSharingAPrefix_NoConflict()
    {
        Assert.True(Check(new RunRequest { Command = "sh", Files = [Input("a"), Input("ab/c"), Input("a.txt")] }).Allowed);
    }

    [Fact]
    public void Check_FilesTotalOverCap_FilesTooLarge()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxTotalFileBytes = 10 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Files = [Input("a", 6), Input("b", 5)] }, policy).Violations);

        Assert.Equal("files", violation.Field);
        Assert.Equal("validation.files_too_large", violation.Code);
    }

    [Fact]
    public void Check_FilesTotalAtCap_Allowed()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxTotalFileBytes = 10 });

        Assert.True(Check(new RunRequest { Command = "sh", Files = [Input("a", 5), Input("b", 5)] }, policy).Allowed);
    }

    [Fact]
    public void Check_FileCountOverCap_TooManyFiles()
    {
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxFiles = 1 });

        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Files = [Input("a"), Input("b")] }, policy).Violations);

        Assert.Equal("files", violation.Field);
        Assert.Equal("validation.too_many_files", violation.Code);
    }

    [Theory]
    [InlineData("/tmp")]
    [InlineData("../up")]
    [InlineData("src/../..")]
    [InlineData("src\\x")]
    [InlineData("src\0")]
    [InlineData("src\n")]
    public void Check_WorkingDirectoryUnsafe_PathViolation(string workingDirectory)
    {
        var violation = Assert.Single(Check(new RunRequest { Command = "sh", WorkingDirectory = workingDirectory }).Violations);

        Assert.Equal("workingDirectory", violation.Field);
        Assert.Equal("validation.path", violation.Code);
    }

    [Fact]
    public void Check_WorkingDirectoryTooLong_PathViolation()
    {
        var violation = Assert.Single(Check(new RunRequest { Command = "sh", WorkingDirectory = new string('w', 256) }).Violations);

        Assert.Equal("workingDirectory", violation.Field);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("src", "src")]
    [InlineData("./src//lib/", "src/lib")]
    [InlineData(".", "")]
    [InlineData("./", "")]
    public void Check_WorkingDirectorySafe_Normalized(string workingDirectory, string normalized)
    {
        var decision = Check(new RunRequest { Command = "sh", WorkingDirectory = workingDirectory });

        Assert.Empty(decision.Violations);
        Assert.Equal(normalized, decision.Run!.WorkingDirectory);
    }

    [Theory]
    [InlineData("src/main.txt", "src/main.txt")]
    [InlineData("src/main.txt", "./src//main.txt")]
    [InlineData("src/main.txt", "src/main.txt/inner")]
    public void Check_WorkingDirectoryIsOrIsInsideAFile_PathConflict(string file, string workingDirectory)
    {
        var violation = Assert.Single(Check(new RunRequest { Command = "sh", Files = [Input(file)], WorkingDirectory = workingDirectory }).Violations);

        Assert.Equal("workingDirectory", violation.Field);
        Assert.Equal("validation.path_conflict", violation.Code);
    }

    [Fact]
    public void Check_WorkingDirectoryIsParentOfAFile_Allowed()
    {
        Assert.True(Check(new RunRequest { Command = "sh", Files = [Input("src/main.txt")], WorkingDirectory = "src" }).Allowed);
    }

    [Fact]
    public void Check_LimitsRequested_Applied()
    {
        var decision = Check(new RunRequest { Command = "sh", TimeoutMs = 60_000, MemoryMb = 8, CpuPercent = 1, MaxProcesses = 64, MaxOutputBytes = 1 });

        Assert.Equal(new RunLimits(60_000, 8, 1, 64, 1), decision.Run!.Limits);
    }

    [Fact]
    public void Check_LimitsAbsent_ConfiguredDefaultsApplied()
    {
        var policy = Policy(new PolicyOptions
        {
            Commands = ["sh"],
            Defaults = new RunLimitsOptions { TimeoutMs = 1_234, MemoryMb = 99, CpuPercent = 7, MaxProcesses = 3, MaxOutputBytes = 4_096 },
        });

        Assert.Equal(new RunLimits(1_234, 99, 7, 3, 4_096), Check(new RunRequest { Command = "sh" }, policy).Run!.Limits);
    }

    [Theory]
    [MemberData(nameof(LimitFields))]
    public void Check_LimitZero_OutOfRangeForThatField(string field, int maximum)
    {
        _ = maximum;
        var violation = Assert.Single(Check(WithLimit(field, 0)).Violations);

        Assert.Equal(field, violation.Field);
        Assert.Equal("validation.limit_out_of_range", violation.Code);
        Assert.False(violation.Forbidden);
    }

    [Theory]
    [MemberData(nameof(LimitFields))]
    public void Check_LimitAboveMaximum_OutOfRangeForThatField(string field, int maximum)
    {
        var violation = Assert.Single(Check(WithLimit(field, maximum + 1L)).Violations);

        Assert.Equal(field, violation.Field);
        Assert.Equal("validation.limit_out_of_range", violation.Code);
    }

    [Theory]
    [MemberData(nameof(LimitFields))]
    public void Check_LimitAtMaximum_Allowed(string field, int maximum)
    {
        Assert.True(Check(WithLimit(field, maximum)).Allowed);
    }

    [Fact]
    public void Check_ProblemInEveryField_AllReportedAtOnce()
    {
        var request = new RunRequest
        {
            RunId = "bad id",
            Command = "nc",
            Args = ["a\0b"],
            Env = Env(("LD_PRELOAD", "/work/x.so")),
            Files = [Input("../escape")],
            WorkingDirectory = "/etc",
            TimeoutMs = 0,
        };

        var decision = Check(request);

        Assert.Null(decision.Run);
        Assert.Equal(7, decision.Violations.Count);
        Assert.Equal(
            new[] { "args[0]", "command", "env.LD_PRELOAD", "files[0].path", "limits.timeoutMs", "runId", "workingDirectory" },
            decision.Violations.Select(v => v.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Check_SixProblemsInDifferentFields_SixViolations()
    {
        var request = new RunRequest
        {
            Command = "sh",
            Args = ["ok", "x\0"],
            Stdin = new string('s', 5),
            Env = Env(("9X", "v")),
            Files = [Input("/abs")],
            WorkingDirectory = "..",
            MemoryMb = 999_999,
        };
        var policy = Policy(new PolicyOptions { Commands = ["sh"], MaxStdinBytes = 4 });

        var decision = Check(request, policy);

        Assert.Equal(6, decision.Violations.Count);
        Assert.Equal(6, decision.Violations.Select(v => v.Field).Distinct(StringComparer.Ordinal).Count());
        Assert.False(decision.Forbidden);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("A-b_9")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void Check_RunIdValid_Kept(string runId)
    {
        Assert.Equal(runId, Check(new RunRequest { RunId = runId, Command = "sh" }).Run!.RunId);
    }

    [Fact]
    public void Check_RunIdAbsent_Generated()
    {
        var decision = RequestValidator.Check(new RunRequest { Command = "sh" }, DefaultPolicy, () => "generated-id");

        Assert.Equal("generated-id", decision.Run!.RunId);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a.b")]
    [InlineData("é")]
    [InlineData("run\n")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234")]
    public void Check_RunIdMalformed_RunIdViolation(string runId)
    {
        var violation = Assert.Single(Check(new RunRequest { RunId = runId, Command = "sh" }).Violations);

        Assert.Equal("runId", violation.Field);
        Assert.Equal("validation.run_id", violation.Code);
        Assert.False(violation.Forbidden);
    }

    [Fact]
    public void Forbidden_OnlyMalformedProblems_False()
    {
        var decision = Check(new RunRequest { Command = "sh", Args = ["\0"], Env = Env(("1A", "x")), TimeoutMs = 0 });

        Assert.Equal(3, decision.Violations.Count);
        Assert.All(decision.Violations, v => Assert.False(v.Forbidden));
        Assert.False(decision.Forbidden);
    }

    [Fact]
    public void Forbidden_PolicyProhibitionAmongMalformedProblems_True()
    {
        var decision = Check(new RunRequest { Command = "sh", Args = ["\0"], Env = Env(("BASH_ENV", "/work/x")) });

        Assert.True(decision.Forbidden);
        Assert.Equal(new[] { "env.BASH_ENV" }, decision.Violations.Where(v => v.Forbidden).Select(v => v.Field));
    }

    [Fact]
    public void Forbidden_AllowedRequest_False()
    {
        Assert.False(Check(new RunRequest { Command = "echo" }).Forbidden);
    }

    private static PolicyDecision Check(RunRequest request, ExecutionPolicy? policy = null) =>
        RequestValidator.Check(request, policy ?? DefaultPolicy, () => "generated");

    private static ExecutionPolicy Policy(PolicyOptions options) => ExecutionPolicy.Resolve(options);

    private static Dictionary<string, string> Env(params (string Name, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    private static RunFile Input(string path, int size = 1) => new(path, new byte[size], Executable: false);

    private static RunRequest WithLimit(string field, long value) => field switch
    {
        "limits.timeoutMs" => new RunRequest { Command = "sh", TimeoutMs = (int)value },
        "limits.memoryMb" => new RunRequest { Command = "sh", MemoryMb = (int)value },
        "limits.cpuPercent" => new RunRequest { Command = "sh", CpuPercent = (int)value },
        "limits.maxProcesses" => new RunRequest { Command = "sh", MaxProcesses = (int)value },
        _ => new RunRequest { Command = "sh", MaxOutputBytes = value },
    };
}
