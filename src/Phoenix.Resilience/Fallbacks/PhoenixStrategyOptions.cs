using Polly;

namespace Phoenix.Resilience.Fallbacks;

/// <summary>Options of the small Phoenix strategies (feature gate, last-known-good recorder): only a name, for Polly telemetry.</summary>
internal sealed class PhoenixStrategyOptions : ResilienceStrategyOptions
{
    public PhoenixStrategyOptions(string name) => Name = name;
}
