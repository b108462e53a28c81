namespace Phoenix.Resilience.Configuration;

/// <summary>A reload that failed validation and was not applied.</summary>
/// <param name="Source">The configuration that was rejected (snapshot name).</param>
/// <param name="At">When it was rejected.</param>
/// <param name="Errors">Every validation error, at once.</param>
public sealed record ReloadRejection(string Source, DateTimeOffset At, IReadOnlyList<string> Errors);
