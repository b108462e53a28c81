using System.ComponentModel.DataAnnotations;

namespace Phoenix.Hosting.Tests.Support;

/// <summary>A reloadable options type for tests.</summary>
public sealed class SampleOptions
{
    [Range(1, 100)]
    public int Limit { get; init; } = 10;

    [Required]
    [MinLength(2)]
    public string Name { get; init; } = "default";
}
