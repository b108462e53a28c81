using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Phoenix.Gateway.Audit;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>
/// The audit contract against a real PostgreSQL (a private cluster per class, see <see cref="PostgresCluster"/>; a
/// fresh database per test, owned by the role the store connects as), plus what is PostgreSQL's own.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PostgresAuditStoreTests(PostgresClusterFixture fixture) : AuditStoreContractTests, IClassFixture<PostgresClusterFixture>
{
    private PostgresAuditStore? _store;
    private string _connectionString = string.Empty;

    internal override IAuditStore Store => _store ?? throw new InvalidOperationException("Not initialized.");

    private PostgresCluster Cluster => fixture.Cluster;

    public override async Task InitializeAsync()
    {
        var database = await Cluster.CreateDatabaseAsync();
        _connectionString = Cluster.ConnectionString(database);
        _store = new PostgresAuditStore(_connectionString, NullLogger.Instance);
    }

    public override async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task RawSql_Truncate_FailsAndNothingChanges()
    {
        await Store.AcceptedAsync(Accepted("run-1", "key-a", T0), CancellationToken.None);

        var error = await Assert.ThrowsAsync<PostgresException>(() => ExecuteRawAsync("TRUNCATE audit_events"));

        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        Assert.Single((await Store.QueryAsync(Query(), CancellationToken.None)).Records);
    }

    [Fact]
    public async Task EnsureSchemaAsync_FreshDatabase_TimestamptzColumnsBigserialCursorAndUniqueRunEvent()
    {
        await _store!.EnsureSchemaAsync(CancellationToken.None);

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT column_name, data_type, column_default FROM information_schema.columns WHERE table_name = 'audit_events' AND column_name IN ('seq', 'at')",
            connection);
        var columns = new Dictionary<string, (string Type, string? Default)>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }
        }

        await using var unique = new NpgsqlCommand(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'audit_events'::regclass AND contype = 'u'", connection);
        Assert.Equal("timestamp with time zone", columns["at"].Type);
        Assert.Equal("bigint", columns["seq"].Type);
        Assert.StartsWith("nextval(", columns["seq"].Default, StringComparison.Ordinal);
        Assert.Equal("UNIQUE (run_id, event)", await unique.ExecuteScalarAsync());
    }

    [Fact]
    public async Task NewStore_SameDatabase_SeesEveryRecordAndKeepsTheSchema()
    {
        var record = Accepted("run-1", "key-a", T0);
        await Store.AcceptedAsync(record, CancellationToken.None);
        await Store.FinishedAsync(record with { Status = "killed", FinishedAt = T0.AddSeconds(1) }, CancellationToken.None);
        await _store!.DisposeAsync();
        _store = null;

        await using var reopened = new PostgresAuditStore(_connectionString, NullLogger.Instance);
        var stored = Assert.Single((await reopened.QueryAsync(Query(), CancellationToken.None)).Records);

        Assert.Equal(("run-1", "killed"), (stored.RunId, stored.Status));
        await reopened.AcceptedAsync(Accepted("run-2", "key-a", T0.AddSeconds(2)), CancellationToken.None);
        Assert.Equal(2, (await reopened.QueryAsync(Query(), CancellationToken.None)).Records.Count);
    }

    [Fact]
    public async Task TwoReplicas_FirstUseTogether_BothMigrateAndShareOneTrail()
    {
        await using var replica = new PostgresAuditStore(_connectionString, NullLogger.Instance);

        await Task.WhenAll(
            Task.Run(() => Store.AcceptedAsync(Accepted("from-a", "key-a", T0), CancellationToken.None)),
            Task.Run(() => replica.AcceptedAsync(Accepted("from-b", "key-a", T0.AddSeconds(1)), CancellationToken.None)));

        var seenByA = await Store.QueryAsync(Query(), CancellationToken.None);
        var seenByB = await replica.QueryAsync(Query(), CancellationToken.None);
        Assert.Equal(["from-a", "from-b"], seenByA.Records.Select(r => r.RunId).Order(StringComparer.Ordinal));
        Assert.Equal(seenByA.Records.Select(r => r.RunId), seenByB.Records.Select(r => r.RunId));
    }

    [Fact]
    public async Task Store_LeastPrivilegedRoleAfterOwnerMigrated_WritesAndQueriesButCannotTamper()
    {
        await _store!.EnsureSchemaAsync(CancellationToken.None);
        var writer = "writer_" + Guid.NewGuid().ToString("N")[..8];
        var password = Guid.NewGuid().ToString("N");
        var database = new NpgsqlConnectionStringBuilder(_connectionString).Database!;
        await using (var admin = new NpgsqlConnection(Cluster.AdminConnectionString(database)))
        {
            await admin.OpenAsync();

            // Utility statements take no parameters; names and password are ours (hex).
            await using var grant = new NpgsqlCommand(
                $"CREATE ROLE {writer} LOGIN PASSWORD '{password}'; " +
                $"GRANT SELECT, INSERT ON audit_events TO {writer}; GRANT USAGE ON SEQUENCE audit_events_seq_seq TO {writer};",
                admin);
            await grant.ExecuteNonQueryAsync();
        }

        var writerConnection = new NpgsqlConnectionStringBuilder(_connectionString) { Username = writer, Password = password }.ConnectionString;
        await using var store = new PostgresAuditStore(writerConnection, NullLogger.Instance);
        await store.AcceptedAsync(Accepted("run-1", "key-a", T0), CancellationToken.None);

        Assert.Equal("run-1", Assert.Single((await store.QueryAsync(Query(), CancellationToken.None)).Records).RunId);
        await using var connection = new NpgsqlConnection(writerConnection);
        await connection.OpenAsync();
        foreach (var sql in new[] { "DROP TABLE audit_events", "ALTER TABLE audit_events DISABLE TRIGGER ALL", "UPDATE audit_events SET status = 'x'" })
        {
            await using var tamper = new NpgsqlCommand(sql, connection);
            await Assert.ThrowsAsync<PostgresException>(() => tamper.ExecuteNonQueryAsync());
        }
    }

    [Fact]
    public async Task Writes_ServerSynchronousCommitOff_AreCommittedAndReadable()
    {
        var relaxed = new NpgsqlConnectionStringBuilder(_connectionString) { Options = "-c synchronous_commit=off" }.ConnectionString;
        await using var store = new PostgresAuditStore(relaxed, NullLogger.Instance);
        var record = Accepted("run-1", "key-a", T0);

        await store.AcceptedAsync(record, CancellationToken.None);
        await store.FinishedAsync(record with { Status = "succeeded", FinishedAt = T0.AddSeconds(1), ExitCode = 0 }, CancellationToken.None);

        Assert.Equal("succeeded", Assert.Single((await Store.QueryAsync(Query(), CancellationToken.None)).Records).Status);
    }

    [Fact]
    public async Task PingAsync_NothingListening_FalseWithoutThrowing()
    {
        var nowhere = new NpgsqlConnectionStringBuilder(_connectionString) { Port = FreePort(), Timeout = 2 }.ConnectionString;
        await using var store = new PostgresAuditStore(nowhere, NullLogger.Instance);

        Assert.False(await store.PingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Operations_WrongPassword_FailWithoutQuotingThePassword()
    {
        const string secret = "Sup3r-Secret-Pa55";
        var wrong = new NpgsqlConnectionStringBuilder(_connectionString) { Password = secret }.ConnectionString;
        await using var store = new PostgresAuditStore(wrong, NullLogger.Instance);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => store.AcceptedAsync(Accepted("run-1", "key-a", T0), CancellationToken.None));

        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
        Assert.False(await store.PingAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("Host=db;Password=Sup3r-Secret-Pa55;Bogus Keyword=1")]
    [InlineData("Host=db;Port=not-a-port;Password=Sup3r-Secret-Pa55")]
    [InlineData("Password=Sup3r-Secret-Pa55;Database=audit")]
    [InlineData("Sup3r-Secret-Pa55")]
    public void Constructor_InvalidConnectionString_ThrowsWithoutQuotingIt(string connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresAuditStore(connectionString, NullLogger.Instance));

        Assert.DoesNotContain("Sup3r", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("PostgreSQL audit connection string", error.Message, StringComparison.Ordinal);
    }

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
