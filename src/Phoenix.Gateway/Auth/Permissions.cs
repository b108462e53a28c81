namespace Phoenix.Gateway.Auth;

/// <summary>What a key may do. Authorization policies carry the same names.</summary>
internal static class Permissions
{
    public const string Execute = "execute";
    public const string Vitals = "vitals";
    public const string Audit = "audit";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Execute, Vitals, Audit, Admin];
}
