using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Phoenix.Gateway.Audit;

/// <summary>
/// The embedded audit store: one SQLite file in the data directory, WAL journal. Rows are only ever inserted: a run
/// has an <c>accepted</c> row and, once it ends, a <c>finished</c> row.
/// Writes are group-committed: one writer puts every row waiting when the previous commit ends into the next
/// transaction, so concurrent runs share one commit instead of queuing for one each.
/// </summary>
/// <remarks>
/// Durability follows what a row vouches for. A <c>finished</c> row is committed with <c>synchronous=FULL</c> (the WAL
/// is fsync'd before its caller returns, and the response is sent only after that): an acknowledged run survives a
/// crash of the process and a power cut. An <c>accepted</c> row is committed with <c>synchronous=NORMAL</c>: written
/// to the WAL (so it survives a crash of the gateway process, and the run is never forwarded before it is committed)
/// without waiting for the disk. The fsync of any later FULL commit, at the latest the run's own <c>finished</c>
/// row, makes it durable too (one WAL file, written in commit order), so a run costs one fsync, not two; only a power
/// cut before that can lose an <c>accepted</c> row, and then no response of that run had been sent.
/// </remarks>
internal sealed class SqliteAuditStore : IAuditStore, IDisposable
{
    private const string Schema = """
        PRAGMA journal_mode=WAL;
        CREATE TABLE IF NOT EXISTS audit_events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            event TEXT NOT NULL CHECK (event IN ('accepted', 'finished')),
            at TEXT NOT NULL,
            key_id TEXT NOT NULL,
            command TEXT NOT NULL,
            args_digest TEXT NOT NULL,
            limits TEXT NOT NULL,
            status TEXT NOT NULL,
            exit_code INTEGER,
            wall_ms INTEGER,
            cpu_ms INTEGER,
            peak_memory_bytes INTEGER,
            executor TEXT,
            trace_id TEXT NOT NULL,
            client_address TEXT,
            UNIQUE (run_id, event));
        CREATE INDEX IF NOT EXISTS audit_events_key ON audit_events (key_id, seq);
        CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
        CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
        """;

    private const string Insert = """
        INSERT INTO audit_events (run_id, event, at, key_id, command, args_digest, limits, status, exit_code, wall_ms, cpu_ms,
                                  peak_memory_bytes, executor, trace_id, client_address)
        VALUES ($run, $event, $at, $key, $command, $digest, $limits, $status, $exit, $wall, $cpu, $peak, $executor, $trace, $client)
        """;

    private const string Accepted = "accepted";
    private const string Finished = "finished";

    /// <summary>Rows in one transaction at most.</summary>
    private const int MaxBatch = 256;

    private readonly string _connectionString;
    private readonly Channel<PendingWrite> _pending = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public SqliteAuditStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        if (!OperatingSystem.IsWindows())
        {
            MakePrivate(path);
        }

        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = Schema;
        command.ExecuteNonQuery();
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task AcceptedAsync(AuditRecord record, CancellationToken cancellationToken) => InsertAsync(Accepted, record, record.AcceptedAt);

    public Task FinishedAsync(AuditRecord record, CancellationToken cancellationToken) =>
        InsertAsync(Finished, record, record.FinishedAt ?? record.AcceptedAt);

    public async Task<AuditPageDto> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        var where = new List<string> { "a.event = 'accepted'" };
        if (query.KeyId is { } key)
        {
            where.Add("a.key_id = $key");
            command.Parameters.AddWithValue("$key", key);
        }

        if (query.Status is { } status)
        {
            where.Add("COALESCE(f.status, a.status) = $status");
            command.Parameters.AddWithValue("$status", status);
        }

        if (query.From is { } from)
        {
            where.Add("a.at >= $from");
            command.Parameters.AddWithValue("$from", Format(from));
        }

        if (query.To is { } to)
        {
            where.Add("a.at < $to");
            command.Parameters.AddWithValue("$to", Format(to));
        }

        if (query.Before is { } before && long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor))
        {
            where.Add("a.seq < $before");
            command.Parameters.AddWithValue("$before", cursor);
        }

        command.CommandText = $"""
            SELECT a.seq, a.run_id, a.at, f.at, a.key_id, a.command, a.args_digest, a.limits, COALESCE(f.status, a.status),
                   f.exit_code, f.wall_ms, f.cpu_ms, f.peak_memory_bytes, f.executor, a.trace_id, a.client_address
            FROM audit_events a LEFT JOIN audit_events f ON f.run_id = a.run_id AND f.event = 'finished'
            WHERE {string.Join(" AND ", where)}
            ORDER BY a.seq DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$limit", query.Limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await AuditPageReader.ReadAsync(reader, query.Limit, static (r, i) => Parse(r.GetString(i)), cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = Open();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return await command.ExecuteScalarAsync(cancellationToken) is not null;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        // Rows already handed over are written before the store closes.
        _pending.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
    }

    /// <summary>The caller's cancellation is not taken: once asked for, an audit row is written (an acknowledged run is always recorded).</summary>
    private Task InsertAsync(string kind, AuditRecord record, DateTimeOffset at)
    {
        var write = new PendingWrite(kind, record, at);
        return _pending.Writer.TryWrite(write) ? write.Done.Task : Task.FromException(new ObjectDisposedException(nameof(SqliteAuditStore)));
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        AuditWriter? writer = null;
        try
        {
            while (await _pending.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var write))
                {
                    batch.Add(write);
                }

                try
                {
                    writer ??= new AuditWriter(Open());
                    writer.Commit(batch, durable: batch.Exists(w => w.Kind == Finished));
                    batch.ForEach(w => w.Done.TrySetResult());
                }
                catch (SqliteException) when (batch.Count > 1)
                {
                    // One rejected row (a duplicate run id) must not fail the others: each gets its own transaction and outcome.
                    writer?.Dispose();
                    writer = null;
                    foreach (var write in batch)
                    {
                        try
                        {
                            writer ??= new AuditWriter(Open());
                            writer.Commit([write], durable: write.Kind == Finished);
                            write.Done.TrySetResult();
                        }
                        catch (Exception ex)
                        {
                            write.Done.TrySetException(ex);
                            writer?.Dispose();
                            writer = null;
                        }
                    }
                }
                catch (Exception ex)
                {
                    // The writer itself never fails: the next batch starts on a new connection.
                    batch.ForEach(w => w.Done.TrySetException(ex));
                    writer?.Dispose();
                    writer = null;
                }

                batch.Clear();
            }
        }
        finally
        {
            writer?.Dispose();
        }
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// The database is created 0600 before SQLite opens it: SQLite creates the WAL and shared-memory files (which hold
    /// the newest records) with the database file's mode, so they are private too. Files left by an older version
    /// are tightened.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void MakePrivate(string path)
    {
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, UnixCreateMode = Private }))
        {
        }

        foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
        {
            if (File.Exists(file))
            {
                File.SetUnixFileMode(file, Private);
            }
        }
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>
    /// The write loop's connection with its statements prepared once (SQLite compiles a statement when it is first
    /// run and keeps it while the command lives): a commit binds values and steps, it parses nothing.
    /// </summary>
    private sealed class AuditWriter : IDisposable
    {
        private static readonly string[] Names =
            ["$run", "$event", "$at", "$key", "$command", "$digest", "$limits", "$status", "$exit", "$wall", "$cpu", "$peak", "$executor", "$trace", "$client"];

        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _full;
        private readonly SqliteCommand _normal;
        private readonly SqliteParameter[] _values;

        public AuditWriter(SqliteConnection connection)
        {
            _connection = connection;
            _full = Command("PRAGMA synchronous=FULL");
            _normal = Command("PRAGMA synchronous=NORMAL");
            _insert = Command(Insert);
            _values = [.. Names.Select(name => _insert.Parameters.Add(new SqliteParameter { ParameterName = name }))];
        }

        /// <summary>
        /// Inserts the rows in one transaction: all are committed when it returns, or none is written. With
        /// <paramref name="durable"/> the commit waits for the disk (and so makes every earlier commit durable too).
        /// </summary>
        public void Commit(List<PendingWrite> batch, bool durable)
        {
            (durable ? _full : _normal).ExecuteNonQuery();
            using var transaction = _connection.BeginTransaction();
            _insert.Transaction = transaction;
            foreach (var (kind, record, at) in batch)
            {
                Bind(kind, record, at);
                _insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        public void Dispose()
        {
            foreach (var command in new[] { _insert, _full, _normal })
            {
                command.Dispose();
            }

            _connection.Dispose();
        }

        private void Bind(string kind, AuditRecord record, DateTimeOffset at)
        {
            object?[] values =
            [
                record.RunId, kind, Format(at), record.KeyId, record.Command, record.ArgsDigest, record.Limits, record.Status,
                record.ExitCode, record.WallMs, record.CpuMs, record.PeakMemoryBytes, record.Executor, record.TraceId, record.ClientAddress,
            ];
            for (var i = 0; i < values.Length; i++)
            {
                _values[i].Value = values[i] ?? DBNull.Value;
            }
        }

        private SqliteCommand Command(string text)
        {
            var command = _connection.CreateCommand();
            command.CommandText = text;
            return command;
        }
    }

    private sealed record PendingWrite(string Kind, AuditRecord Record, DateTimeOffset At)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
