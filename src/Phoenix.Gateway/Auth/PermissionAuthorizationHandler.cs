using Microsoft.AspNetCore.Authorization;

namespace Phoenix.Gateway.Auth;

/// <summary>
/// Meets a <see cref="PermissionRequirement"/> when the caller has a <see cref="PhoenixClaims.Permission"/> claim equal
/// to the required permission or to <see cref="Permissions.Admin"/> (admin satisfies every policy).
/// </summary>
internal sealed class PermissionAuthorizationHandler : AuthorizationHandler<PermissionRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(requirement);
        var allowed = context.User.Identity?.IsAuthenticated == true
            && context.User.HasClaim(c => c.Type == PhoenixClaims.Permission
                && (string.Equals(c.Value, requirement.Permission, StringComparison.Ordinal)
                    || string.Equals(c.Value, Permissions.Admin, StringComparison.Ordinal)));
        if (allowed)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
