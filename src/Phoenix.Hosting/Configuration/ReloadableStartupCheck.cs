namespace Phoenix.Hosting.Configuration;

/// <summary>
/// Marker options whose start-up validation (<c>ValidateOnStart</c>, run by the host before any hosted service)
/// creates every registered reloadable snapshot, so an invalid first configuration stops the host with all its errors.
/// </summary>
internal sealed class ReloadableStartupCheck;
