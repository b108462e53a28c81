using Microsoft.Extensions.Options;

namespace Phoenix.Resilience.Supervision;

/// <summary>Cross-field rules of <see cref="SupervisorOptions"/>.</summary>
internal sealed class SupervisorOptionsValidator : IValidateOptions<SupervisorOptions>
{
    public ValidateOptionsResult Validate(string? name, SupervisorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MaxDelay < options.InitialDelay
            ? ValidateOptionsResult.Fail($"{nameof(SupervisorOptions.MaxDelay)} ({options.MaxDelay}) must not be less than {nameof(SupervisorOptions.InitialDelay)} ({options.InitialDelay}).")
            : ValidateOptionsResult.Success;
    }
}
