namespace Phoenix.Resilience.Errors;

/// <summary>How bad an error is for the service (not for the caller).</summary>
public enum Severity
{
    /// <summary>Expected in normal operation (bad input, rate limits).</summary>
    Low,

    /// <summary>Worth noticing; the service is fine.</summary>
    Medium,

    /// <summary>A dependency or a feature is failing.</summary>
    High,

    /// <summary>The service cannot do its job.</summary>
    Critical,
}
