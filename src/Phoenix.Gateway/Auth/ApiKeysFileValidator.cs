using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Cross-entry rules of the keys file: unique ids, id format <c>^[A-Za-z0-9._-]{1,64}$</c>, hash format
/// <c>sha256:&lt;64 hex&gt;</c>, unique hashes, known permissions, <c>rateLimitPerMinute</c> in 1..1,000,000 when set.
/// Every error is reported at once; no message contains a hash.
/// </summary>
internal sealed partial class ApiKeysFileValidator : IValidateOptions<ApiKeysFile>
{
    /// <summary>The largest per-key rate limit accepted.</summary>
    public const int MaxRateLimitPerMinute = 1_000_000;

    public ValidateOptionsResult Validate(string? name, ApiKeysFile options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Keys is null)
        {
            return ValidateOptionsResult.Fail("keys: must be a list (it may be empty).");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            if (key is null)
            {
                errors.Add($"keys[{i}]: must be an object.");
                continue;
            }

            var where = IdPattern().IsMatch(key.Id ?? string.Empty) ? $"keys[{i}] (id '{key.Id}')" : $"keys[{i}]";
            if (!IdPattern().IsMatch(key.Id ?? string.Empty))
            {
                errors.Add($"{where}: id must match ^[A-Za-z0-9._-]{{1,64}}$.");
            }
            else if (!ids.Add(key.Id!))
            {
                errors.Add($"{where}: id is not unique.");
            }

            if (!ApiKeys.IsValidHash(key.Hash))
            {
                errors.Add($"{where}: hash must be 'sha256:' followed by 64 hex digits.");
            }
            else if (!hashes.Add(key.Hash))
            {
                errors.Add($"{where}: hash is used by another key.");
            }

            if (key.Permissions is null)
            {
                errors.Add($"{where}: permissions must be a list.");
            }
            else
            {
                foreach (var permission in key.Permissions)
                {
                    if (permission is null || !Permissions.All.Contains(permission, StringComparer.Ordinal))
                    {
                        errors.Add($"{where}: unknown permission '{permission}' (known: {string.Join(", ", Permissions.All)}).");
                    }
                }
            }

            if (key.RateLimitPerMinute is { } limit and (< 1 or > MaxRateLimitPerMinute))
            {
                errors.Add($"{where}: rateLimitPerMinute must be between 1 and {MaxRateLimitPerMinute} when set.");
            }

            if (key.Name is { Length: > 200 })
            {
                errors.Add($"{where}: name must be at most 200 characters.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
