using System.Runtime.Versioning;
using Phoenix.Executor.Policy;

namespace Phoenix.Executor.Tests.Policy;

[SupportedOSPlatform("linux")]
public sealed class PolicyOptionsValidatorTests
{
    private readonly PolicyOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(_validator.Validate(null, new PolicyOptions()).Succeeded);
    }

    [Fact]
    public void Validate_DefaultsEqualToMaxima_Succeeds()
    {
        var limits = new RunLimitsOptions { TimeoutMs = 5_000, MemoryMb = 64, CpuPercent = 10, MaxProcesses = 2, MaxOutputBytes = 2_048 };

        Assert.True(_validator.Validate(null, new PolicyOptions { Defaults = limits, Maxima = limits }).Succeeded);
    }

    [Theory]
    [InlineData("TimeoutMs")]
    [InlineData("MemoryMb")]
    [InlineData("CpuPercent")]
    [InlineData("MaxProcesses")]
    [InlineData("MaxOutputBytes")]
    public void Validate_DefaultAboveMaximum_FailsNamingTheLimit(string limit)
    {
        var maxima = new RunLimitsOptions { TimeoutMs = 10_000, MemoryMb = 512, CpuPercent = 50, MaxProcesses = 5, MaxOutputBytes = 1_048_576 };
        var defaults = limit switch
        {
            "TimeoutMs" => maxima with { TimeoutMs = 10_001 },
            "MemoryMb" => maxima with { MemoryMb = 513 },
            "CpuPercent" => maxima with { CpuPercent = 51 },
            "MaxProcesses" => maxima with { MaxProcesses = 6 },
            _ => maxima with { MaxOutputBytes = 1_048_577 },
        };

        var result = _validator.Validate(null, new PolicyOptions { Defaults = defaults, Maxima = maxima });

        var failure = Assert.Single(result.Failures!);
        Assert.Contains($"Defaults:{limit} must not exceed Maxima:{limit}", failure, StringComparison.Ordinal);
        Assert.StartsWith(PolicyOptions.SectionName, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MaxTotalFileBytesLargerThanWorkdir_Fails()
    {
        var result = _validator.Validate(null, new PolicyOptions { WorkdirSizeMb = 1, MaxTotalFileBytes = 1_048_577 });

        Assert.Contains("MaxTotalFileBytes must fit in WorkdirSizeMb", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MaxTotalFileBytesEqualToWorkdir_Succeeds()
    {
        Assert.True(_validator.Validate(null, new PolicyOptions { WorkdirSizeMb = 1, MaxTotalFileBytes = 1_048_576 }).Succeeded);
    }

    [Theory]
    [InlineData("/bin/sh")]
    [InlineData("../sh")]
    [InlineData("sh -c")]
    [InlineData("")]
    [InlineData("sh;rm")]
    [InlineData("é")]
    [InlineData("sh\n")]
    public void Validate_CommandNotAPlainName_Fails(string command)
    {
        var result = _validator.Validate(null, new PolicyOptions { Commands = ["echo", command] });

        Assert.Contains("must be a plain name", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("python3.12")]
    [InlineData("g++")]
    [InlineData("sha256sum")]
    [InlineData("x86_64-linux-gnu-gcc")]
    public void Validate_CommandPlainName_Succeeds(string command)
    {
        Assert.True(_validator.Validate(null, new PolicyOptions { Commands = [command] }).Succeeded);
    }

    [Theory]
    [InlineData("usr/bin")]
    [InlineData("./bin")]
    [InlineData("/usr/../root/.pyenv/shims")]
    [InlineData("")]
    public void Validate_SearchPathNotAbsolute_Fails(string dir)
    {
        var result = _validator.Validate(null, new PolicyOptions { SearchPaths = ["/usr/bin", dir] });

        Assert.Contains("must be an absolute path", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptySearchPaths_Fails()
    {
        var result = _validator.Validate(null, new PolicyOptions { SearchPaths = [] });

        Assert.Contains("SearchPaths must name at least one directory", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_AllReportedAtOnce()
    {
        var options = new PolicyOptions
        {
            Commands = ["/bin/sh"],
            SearchPaths = ["relative"],
            Defaults = new RunLimitsOptions { TimeoutMs = 100_000 },
            WorkdirSizeMb = 1,
        };

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(4, result.Failures!.Count());
    }
}
