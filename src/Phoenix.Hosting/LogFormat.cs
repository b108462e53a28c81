namespace Phoenix.Hosting;

/// <summary>Console log format (<c>Phoenix:Logging:Format</c>).</summary>
public enum LogFormat
{
    /// <summary>One JSON object per line, with scopes (trace and span ids) and UTC timestamps. The default.</summary>
    Json,

    /// <summary>Human-readable single lines with scopes and UTC timestamps, for development.</summary>
    Text,
}
