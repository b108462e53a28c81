namespace Phoenix.Cli.Doctor;

/// <summary>One finding of <c>phoenix doctor</c>: what was checked, whether it passed, and the command that fixes it.</summary>
internal sealed record DoctorCheck(string Name, bool Passed, string Detail, string? Fix = null)
{
    public static DoctorCheck Pass(string name, string detail) => new(name, true, detail);

    public static DoctorCheck Fail(string name, string detail, string fix) => new(name, false, detail, fix);
}
