using System.ComponentModel.DataAnnotations;

namespace Phoenix.Gateway.Audit;

/// <summary>
/// Where the audit trail is kept (<c>Phoenix:Gateway:Audit</c>), read once at start and validated then:
/// <see cref="SqliteProvider"/> (default, a file in the data directory) or <see cref="PostgresProvider"/> (shared by
/// several gateway replicas; <see cref="ConnectionString"/> required).
/// </summary>
internal sealed record AuditOptions : IValidatableObject
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Phoenix:Gateway:Audit";

    /// <summary>The embedded store: <c>audit.db</c> in the data directory.</summary>
    public const string SqliteProvider = "Sqlite";

    /// <summary>The shared store: a PostgreSQL database.</summary>
    public const string PostgresProvider = "Postgres";

    /// <summary><see cref="SqliteProvider"/> (default) or <see cref="PostgresProvider"/>, case-insensitive.</summary>
    public string Provider { get; init; } = SqliteProvider;

    /// <summary>
    /// An Npgsql connection string (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>), required for
    /// <see cref="PostgresProvider"/> and ignored otherwise. A secret: never logged nor quoted in an error.
    /// </summary>
    public string? ConnectionString { get; init; }

    /// <summary>Whether <see cref="Provider"/> is <see cref="PostgresProvider"/>.</summary>
    public bool IsPostgres => string.Equals(Provider, PostgresProvider, StringComparison.OrdinalIgnoreCase);

    /// <summary>Provider known; for PostgreSQL, a connection string that parses and names a host (the messages never quote it).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsPostgres && !string.Equals(Provider, SqliteProvider, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult($"{SectionName}:Provider must be {SqliteProvider} or {PostgresProvider}.", [nameof(Provider)]);
        }
        else if (IsPostgres && PostgresAuditStore.ValidateConnectionString(ConnectionString) is { } error)
        {
            yield return new ValidationResult($"{SectionName}:ConnectionString: {error}", [nameof(ConnectionString)]);
        }
    }

    /// <summary>The provider only: the connection string is a secret.</summary>
    public override string ToString() => $"AuditOptions {{ Provider = {Provider}, ConnectionString = {(ConnectionString is null ? "(none)" : "(redacted)")} }}";
}
