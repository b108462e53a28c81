using Microsoft.Extensions.Options;

namespace Phoenix.Hosting.Tests.Support;

/// <summary>Cross-field rule: the name "forbidden" is not allowed.</summary>
internal sealed class SampleOptionsValidator : IValidateOptions<SampleOptions>
{
    public ValidateOptionsResult Validate(string? name, SampleOptions options) =>
        options.Name == "forbidden" ? ValidateOptionsResult.Fail("Name: 'forbidden' is reserved.") : ValidateOptionsResult.Success;
}
