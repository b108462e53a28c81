namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>What <see cref="HostileAssert.Safe"/> tolerates besides its defaults.</summary>
/// <param name="Allow503">A 503 (no capacity) is an acceptable answer.</param>
/// <param name="AllowBareProtocolError">
/// A 4xx with an empty body and no content type is acceptable: Kestrel rejects malformed HTTP (framing, header limits)
/// before any middleware runs, so no problem+json can be written for it.
/// </param>
internal sealed record SafeOptions(bool Allow503 = false, bool AllowBareProtocolError = false)
{
    public static readonly SafeOptions Default = new();

    public static readonly SafeOptions Protocol = new(AllowBareProtocolError: true);
}
