using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Phoenix.Gateway.RateLimiting;

/// <summary>Checks what DataAnnotations cannot: the Redis connection string parses.</summary>
internal sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            return ValidateOptionsResult.Success;
        }

        try
        {
            var parsed = ConfigurationOptions.Parse(options.Redis);
            return parsed.EndPoints.Count > 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{RateLimitingOptions.SectionName}:Redis names no endpoint.");
        }
        catch (ArgumentException)
        {
            // The message may quote the password: never repeat it.
            return ValidateOptionsResult.Fail($"{RateLimitingOptions.SectionName}:Redis is not a valid StackExchange.Redis connection string.");
        }
    }
}
