using System.Runtime.Versioning;
using Microsoft.Extensions.Configuration;
using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Tests.Policy;

[SupportedOSPlatform("linux")]
public sealed class ExecutionPolicyTests : IDisposable
{
    private readonly string _dir = Path.Join("/var/lib/phoenix-tests", "policy-" + Guid.NewGuid().ToString("N")[..12]);

    public ExecutionPolicyTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Resolve_DefaultSearchPaths_FindsPython3InUsrBinNotThroughProcessPath()
    {
        var policy = ExecutionPolicy.Resolve(new PolicyOptions { Commands = ["python3", "sh"] });

        Assert.Equal("/usr/bin/python3", policy.Commands["python3"]);
        Assert.Equal("/usr/bin/sh", policy.Commands["sh"]);
        Assert.Empty(policy.Missing);
    }

    [Fact]
    public void Resolve_NameOnlyOnProcessPath_IsMissing()
    {
        // A name found through the service's PATH (e.g. pyenv under /root/.pyenv, or a tool in /usr/sbin) but in
        // none of the search paths: it does not exist inside the sandbox, so it must not resolve.
        var name = NameOnlyOnProcessPath();

        var policy = ExecutionPolicy.Resolve(new PolicyOptions { Commands = [name] });

        Assert.False(policy.Commands.ContainsKey(name));
        Assert.Equal([name], policy.Missing);
    }

    [Fact]
    public void Resolve_ConfiguredSearchPaths_OnlyThoseAreSearched()
    {
        WriteFile("tool", executable: true);

        var policy = ExecutionPolicy.Resolve(new PolicyOptions { Commands = ["tool", "sh"], SearchPaths = [_dir] });

        Assert.Equal(Path.Join(_dir, "tool"), policy.Commands["tool"]);
        Assert.Equal(["sh"], policy.Missing);
    }

    [Fact]
    public void Resolve_SearchPathsInOrder_FirstMatchWins()
    {
        var second = Path.Join(_dir, "second");
        Directory.CreateDirectory(second);
        WriteFile("sh", executable: true);

        var policy = ExecutionPolicy.Resolve(new PolicyOptions { Commands = ["sh"], SearchPaths = [_dir, "/usr/bin"] });
        var reversed = ExecutionPolicy.Resolve(new PolicyOptions { Commands = ["sh"], SearchPaths = ["/usr/bin", _dir] });

        Assert.Equal(Path.Join(_dir, "sh"), policy.Commands["sh"]);
        Assert.Equal("/usr/bin/sh", reversed.Commands["sh"]);
    }

    [Fact]
    public void Resolve_FileWithoutExecuteBit_IsMissing()
    {
        WriteFile("data", executable: false);

        var policy = ExecutionPolicy.Resolve(new PolicyOptions { Commands = ["data"], SearchPaths = [_dir] });

        Assert.Empty(policy.Commands);
        Assert.Equal(["data"], policy.Missing);
    }

    [Fact]
    public void Resolve_DirectoryNamedLikeCommand_IsMissing()
    {
        Directory.CreateDirectory(Path.Join(_dir, "tool"));

        var policy = ExecutionPolicy.Resolve(new PolicyOptions { Commands = ["tool"], SearchPaths = [_dir] });

        Assert.Equal(["tool"], policy.Missing);
    }

    [Fact]
    public void Resolve_SomeMissing_ListedOnceInMissingOthersResolved()
    {
        var policy = ExecutionPolicy.Resolve(new PolicyOptions { Commands = ["echo", "no-such-binary-xyz", "no-such-binary-xyz"] });

        Assert.Equal("/usr/bin/echo", policy.Commands["echo"]);
        Assert.Equal(["no-such-binary-xyz"], policy.Missing);
    }

    [Fact]
    public void Resolve_NoCommandsConfigured_DefaultAllowlist()
    {
        var policy = ExecutionPolicy.Resolve(new PolicyOptions());

        Assert.Equal(
            PolicyOptions.DefaultCommands.Order(StringComparer.Ordinal),
            policy.Commands.Keys.Concat(policy.Missing).Order(StringComparer.Ordinal));
        Assert.Contains("sh", policy.Commands.Keys);
    }

    [Fact]
    public void Resolve_CommandsBoundFromConfiguration_ReplaceTheDefaultList()
    {
        // The configuration binder appends to a non-empty default array: a configured list must replace it whole.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Phoenix:Executor:Policy:Commands:0"] = "python3" })
            .Build();
        var options = configuration.GetSection(PolicyOptions.SectionName).Get<PolicyOptions>()!;

        var policy = ExecutionPolicy.Resolve(options);

        Assert.Equal(["python3"], Assert.IsType<string[]>(options.Commands));
        Assert.Equal(new[] { "python3" }, policy.Commands.Keys.ToArray());
        Assert.False(policy.Commands.ContainsKey("sh"));
    }

    [Fact]
    public void Resolve_DeniedEnvNamesAndSearchPathsBoundFromConfiguration_ReplaceTheDefaults()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Phoenix:Executor:Policy:DeniedEnvNames:0"] = "SECRET",
                ["Phoenix:Executor:Policy:SearchPaths:0"] = "/bin",
            })
            .Build();

        var options = configuration.GetSection(PolicyOptions.SectionName).Get<PolicyOptions>()!;

        Assert.Equal(["SECRET"], options.DeniedEnvNamesOrDefault);
        Assert.Equal(["/bin"], options.SearchPathsOrDefault);
    }

    private void WriteFile(string name, bool executable)
    {
        var path = Path.Join(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, executable
            ? UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute
            : UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string NameOnlyOnProcessPath()
    {
        var searched = new[] { "/usr/bin", "/bin" };
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin")
            .Where(d => !searched.Contains(d) && Directory.Exists(d));
        return dirs
            .SelectMany(d => Directory.EnumerateFiles(d).Select(Path.GetFileName))
            .OfType<string>()
            .OrderBy(n => n == "pyenv" ? 0 : 1)
            .First(n => PolicyOptionsValidator.CommandName().IsMatch(n) && searched.All(s => !File.Exists(Path.Join(s, n))));
    }
}
