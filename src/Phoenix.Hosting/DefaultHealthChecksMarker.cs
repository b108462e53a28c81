namespace Phoenix.Hosting;

/// <summary>Registered once by <see cref="ServiceDefaultsExtensions.AddDefaultHealthChecks{TBuilder}"/> so a second call adds nothing.</summary>
internal sealed class DefaultHealthChecksMarker;
