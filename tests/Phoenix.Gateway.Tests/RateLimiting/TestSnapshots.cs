using Microsoft.Extensions.Logging.Abstractions;
using Phoenix.Gateway.RateLimiting;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Gateway.Tests.RateLimiting;

/// <summary>A fixed <see cref="ReloadableSnapshot{T}"/> of rate-limit options for tests that build services by hand.</summary>
internal static class TestSnapshots
{
    public static ReloadableSnapshot<RateLimitingOptions> Of(RateLimitingOptions options) =>
        new(RateLimitingOptions.SnapshotName, () => options, () => null, null, NullLoggerFactory.Instance, TimeProvider.System);
}
