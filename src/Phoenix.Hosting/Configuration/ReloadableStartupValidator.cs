using Microsoft.Extensions.Options;

namespace Phoenix.Hosting.Configuration;

/// <summary>Creates every registered reloadable snapshot and reports the errors of all that are invalid, at once.</summary>
internal sealed class ReloadableStartupValidator(
    IServiceProvider services,
    IEnumerable<ReloadableSourceRegistration> registrations) : IValidateOptions<ReloadableStartupCheck>
{
    public ValidateOptionsResult Validate(string? name, ReloadableStartupCheck options)
    {
        var failures = new List<string>();
        foreach (var registration in registrations)
        {
            try
            {
                registration.GetLastRejection(services);
            }
            catch (OptionsValidationException ex)
            {
                var prefix = registration.Name + ":";
                failures.AddRange(ex.Failures.Select(f =>
                    f.StartsWith(prefix, StringComparison.Ordinal) ? f : $"{prefix} {f}"));
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
