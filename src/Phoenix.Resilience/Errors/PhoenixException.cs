namespace Phoenix.Resilience.Errors;

/// <summary>
/// Carries a <see cref="PhoenixError"/> through code that only speaks exceptions (Polly predicates,
/// middleware). <see cref="Exception.Message"/> is the error code and internal detail, for logs.
/// </summary>
public sealed class PhoenixException : Exception
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public PhoenixException(PhoenixError error, Exception? innerException = null)
        : base(Describe(error), innerException)
    {
        Error = error;
    }

    /// <summary>The error carried.</summary>
    public PhoenixError Error { get; }

    private static string Describe(PhoenixError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.InternalDetail is null ? $"{error.Code}: {error.PublicMessage}" : $"{error.Code}: {error.InternalDetail}";
    }
}
