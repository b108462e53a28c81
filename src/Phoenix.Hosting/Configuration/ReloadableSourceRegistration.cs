using Phoenix.Resilience.Configuration;

namespace Phoenix.Hosting.Configuration;

/// <summary>One registered <see cref="ReloadableSnapshot{T}"/>, seen without its type (for start-up validation and health).</summary>
/// <param name="Name">The snapshot's name (also its service key).</param>
/// <param name="GetLastRejection">Resolves the snapshot (creating it, which may throw
/// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>) and returns its last rejection.</param>
internal sealed record ReloadableSourceRegistration(string Name, Func<IServiceProvider, ReloadRejection?> GetLastRejection);
