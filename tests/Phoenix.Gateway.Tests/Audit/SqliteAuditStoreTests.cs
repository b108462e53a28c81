using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Phoenix.Gateway.Audit;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>The audit contract against a real SQLite file under /var/lib/phoenix-tests, plus what is SQLite's own.</summary>
[SupportedOSPlatform("linux")]
public sealed class SqliteAuditStoreTests : AuditStoreContractTests
{
    private readonly string _directory = Path.Join("/var/lib/phoenix-tests", "audit-sqlite-" + Guid.NewGuid().ToString("N")[..12]);
    private SqliteAuditStore? _store;

    internal override IAuditStore Store => _store ?? throw new InvalidOperationException("Not initialized.");

    private string DatabasePath => Path.Join(_directory, "audit.db");

    public override Task InitializeAsync()
    {
        _store = new SqliteAuditStore(DatabasePath);
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        _store?.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task AcceptedAsync_Returned_RecordIsInTheFileForANewStore()
    {
        var record = Accepted("run-durable", "key-a", T0);
        await Store.AcceptedAsync(record, CancellationToken.None);
        await Store.FinishedAsync(record with { Status = "succeeded", FinishedAt = T0.AddSeconds(1), ExitCode = 0 }, CancellationToken.None);
        _store!.Dispose();
        SqliteConnection.ClearAllPools();

        using var reopened = new SqliteAuditStore(DatabasePath);
        var page = await reopened.QueryAsync(Query(), CancellationToken.None);

        var stored = Assert.Single(page.Records);
        Assert.Equal(("run-durable", "succeeded", 0), (stored.RunId, stored.Status, stored.ExitCode));
        _store = new SqliteAuditStore(DatabasePath);
    }

    [Fact]
    public void Constructor_NewFile_Mode0600()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath));
    }

    [Fact]
    public async Task AcceptedAsync_Written_WalAndSharedMemoryFilesMode0600()
    {
        // The WAL holds the newest records until a checkpoint: it must be as private as the database.
        await Store.AcceptedAsync(Accepted("run-1", "key-a", T0), CancellationToken.None);

        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
        {
            Assert.True(File.Exists(file), file);
            Assert.Equal((file, UnixFileMode.UserRead | UnixFileMode.UserWrite), (file, File.GetUnixFileMode(file)));
        }
    }

    [Fact]
    public async Task Constructor_ExistingFile_KeepsRecordsAndTriggers()
    {
        await Store.AcceptedAsync(Accepted("run-1", "key-a", T0), CancellationToken.None);

        using var second = new SqliteAuditStore(DatabasePath);

        Assert.Single((await second.QueryAsync(Query(), CancellationToken.None)).Records);
        await Assert.ThrowsAsync<SqliteException>(() => ExecuteRawAsync("DELETE FROM audit_events"));
    }

    [Fact]
    public async Task AcceptedAsync_ConcurrentWritesWithOneDuplicate_OnlyTheDuplicateFails()
    {
        // Concurrent writes share a transaction (group commit): one rejected row must not fail, nor lose, the others.
        await Store.AcceptedAsync(Accepted("run-taken", "key-a", T0), CancellationToken.None);
        var writes = Enumerable.Range(0, 40)
            .Select(i => Store.AcceptedAsync(Accepted(i == 20 ? "run-taken" : $"run-{i:00}", "key-a", T0.AddMilliseconds(i + 1)), CancellationToken.None))
            .ToArray();

        var outcomes = await Task.WhenAll(writes.Select(async write =>
        {
            try
            {
                await write;
                return true;
            }
            catch (SqliteException)
            {
                return false;
            }
        }));

        Assert.Equal(Enumerable.Range(0, 40).Select(i => i != 20), outcomes);
        Assert.Equal(40, (await Store.QueryAsync(Query(100), CancellationToken.None)).Records.Count);
    }

    protected override async Task ExecuteRawAsync(string sql)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
