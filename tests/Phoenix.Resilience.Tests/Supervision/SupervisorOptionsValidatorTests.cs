using Phoenix.Resilience.Supervision;

namespace Phoenix.Resilience.Tests.Supervision;

public sealed class SupervisorOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new SupervisorOptionsValidator().Validate(null, new SupervisorOptions()).Succeeded);

    [Fact]
    public void Validate_MaxDelayBelowInitialDelay_Fails()
    {
        var options = new SupervisorOptions { InitialDelay = TimeSpan.FromSeconds(10), MaxDelay = TimeSpan.FromSeconds(5) };

        var result = new SupervisorOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(nameof(SupervisorOptions.MaxDelay), result.FailureMessage, StringComparison.Ordinal);
    }
}
