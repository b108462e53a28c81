using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Phoenix.Executor.Policy;

/// <summary>Cross-field rules of <see cref="PolicyOptions"/>; every failure reported at once.</summary>
internal sealed partial class PolicyOptionsValidator : IValidateOptions<PolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyOptions options)
    {
        var failures = new List<string>();
        var at = PolicyOptions.SectionName;
        Check(options.Defaults.TimeoutMs <= options.Maxima.TimeoutMs, "Defaults:TimeoutMs must not exceed Maxima:TimeoutMs.");
        Check(options.Defaults.MemoryMb <= options.Maxima.MemoryMb, "Defaults:MemoryMb must not exceed Maxima:MemoryMb.");
        Check(options.Defaults.CpuPercent <= options.Maxima.CpuPercent, "Defaults:CpuPercent must not exceed Maxima:CpuPercent.");
        Check(options.Defaults.MaxProcesses <= options.Maxima.MaxProcesses, "Defaults:MaxProcesses must not exceed Maxima:MaxProcesses.");
        Check(options.Defaults.MaxOutputBytes <= options.Maxima.MaxOutputBytes, "Defaults:MaxOutputBytes must not exceed Maxima:MaxOutputBytes.");
        Check(options.MaxTotalFileBytes <= options.WorkdirSizeMb * 1_048_576L, "MaxTotalFileBytes must fit in WorkdirSizeMb.");
        Check(options.SearchPathsOrDefault.Count > 0, "SearchPaths must name at least one directory.");
        foreach (var dir in options.SearchPathsOrDefault)
        {
            Check(Path.IsPathFullyQualified(dir) && !dir.Contains("..", StringComparison.Ordinal), $"SearchPaths entry '{dir}' must be an absolute path without '..'.");
        }

        foreach (var command in options.CommandsOrDefault)
        {
            Check(CommandName().IsMatch(command), $"Commands entry '{command}' must be a plain name (letters, digits, '.', '_', '-', '+'), not a path.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(bool ok, string message)
        {
            if (!ok)
            {
                failures.Add($"{at}:{message}");
            }
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9._+-]{1,64}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    internal static partial Regex CommandName();
}
