using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway.Vitals;

/// <summary>The vitals stream (<c>Phoenix:Gateway:Vitals</c>). Read when a stream opens.</summary>
internal sealed record VitalsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Gateway:Vitals";

    /// <summary>Time between two <c>vitals</c> events of one stream. Default 1 s; 100 ms to 1 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00")]
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);
}
