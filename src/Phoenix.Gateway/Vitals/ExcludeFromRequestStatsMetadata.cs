namespace Phoenix.Gateway.Vitals;

/// <summary>
/// Endpoint metadata: the endpoint's requests are left out of <see cref="RequestStats"/> (the vitals rate, error share and
/// percentiles), though still counted in the <c>phoenix.gateway.*</c> metrics. For long-lived streams that watch the
/// gateway (the vitals stream itself), whose minutes-long "latency" would otherwise fill the percentiles.
/// </summary>
internal sealed class ExcludeFromRequestStatsMetadata
{
    public static readonly ExcludeFromRequestStatsMetadata Instance = new();

    private ExcludeFromRequestStatsMetadata()
    {
    }
}
