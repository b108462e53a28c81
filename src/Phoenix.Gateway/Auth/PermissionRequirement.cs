using Microsoft.AspNetCore.Authorization;

namespace Phoenix.Gateway.Auth;

/// <summary>The caller must hold <see cref="Permission"/> or <see cref="Permissions.Admin"/>.</summary>
/// <param name="Permission">One of <see cref="Permissions.All"/>.</param>
internal sealed record PermissionRequirement(string Permission) : IAuthorizationRequirement;
