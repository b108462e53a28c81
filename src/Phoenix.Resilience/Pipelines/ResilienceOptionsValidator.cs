using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Phoenix.Resilience.Pipelines;

/// <summary>Cross-field rules of <see cref="ResilienceOptions"/>; reports every failure at once.</summary>
internal sealed partial class ResilienceOptionsValidator : IValidateOptions<ResilienceOptions>
{
    public ValidateOptionsResult Validate(string? name, ResilienceOptions options)
    {
        var failures = new List<string>();
        foreach (var (pipeline, value) in options.Pipelines)
        {
            var at = $"{ResilienceOptions.SectionName}:Pipelines:{pipeline}";
            if (!PipelineName().IsMatch(pipeline))
            {
                failures.Add($"{at}: a pipeline name is 1-64 letters, digits, '.', '-' or '_'.");
            }

            if (value is null)
            {
                failures.Add($"{at}: is empty.");
                continue;
            }

            if (value.Retry is { } retry && retry.MaxDelay < retry.BaseDelay)
            {
                failures.Add($"{at}:Retry:MaxDelay must be at least Retry:BaseDelay.");
            }

            if (value.CircuitBreaker is { } breaker && !Enum.IsDefined(breaker.Mode))
            {
                failures.Add($"{at}:CircuitBreaker:Mode is not one of {string.Join(", ", Enum.GetNames<CircuitBreakerMode>())}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex PipelineName();
}
