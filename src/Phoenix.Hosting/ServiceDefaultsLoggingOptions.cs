namespace Phoenix.Hosting;

/// <summary>Console logging options, bound from <c>Phoenix:Logging</c>.</summary>
public sealed class ServiceDefaultsLoggingOptions
{
    /// <summary>Console log format: <c>json</c> (default) or <c>text</c>. Read once, when the host is built.</summary>
    public LogFormat Format { get; set; } = LogFormat.Json;
}
