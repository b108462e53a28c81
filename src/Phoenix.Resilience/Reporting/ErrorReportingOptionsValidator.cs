using Microsoft.Extensions.Options;

namespace Phoenix.Resilience.Reporting;

/// <summary>The rules of <see cref="ErrorReportingOptions"/> that DataAnnotations cannot say.</summary>
internal sealed class ErrorReportingOptionsValidator : IValidateOptions<ErrorReportingOptions>
{
    public ValidateOptionsResult Validate(string? name, ErrorReportingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint is { } endpoint
            && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            return ValidateOptionsResult.Fail($"{nameof(ErrorReportingOptions.Endpoint)}: must be an absolute http or https URI.");
        }

        return ValidateOptionsResult.Success;
    }
}
