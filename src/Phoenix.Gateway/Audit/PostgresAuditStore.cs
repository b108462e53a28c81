using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace Phoenix.Gateway.Audit;

/// <summary>
/// The shared audit store for several gateway replicas: one PostgreSQL table, written through a pooled
/// <see cref="NpgsqlDataSource"/>. Same semantics as <see cref="SqliteAuditStore"/>: rows are only ever inserted (an
/// <c>accepted</c> row and, once the run ends, a <c>finished</c> row; triggers refuse UPDATE, DELETE and TRUNCATE),
/// <c>UNIQUE (run_id, event)</c>. A <c>finished</c> row returns only once it is committed and flushed
/// (<c>synchronous_commit</c>: the server's setting unless it is <c>off</c>, which the store turns back <c>on</c>); an
/// <c>accepted</c> row once it is committed, with <c>synchronous_commit = off</c>: the run's finished row's WAL flush
/// makes it durable too, so a run waits for one flush, not two (see <see cref="SqliteAuditStore"/>).
/// </summary>
/// <remarks>
/// The schema is created when missing, on first use (and at start through <see cref="PostgresAuditStartup"/>),
/// under an advisory lock so that replicas starting together do not race. Every DDL statement is skipped when its
/// object exists, so once the owner has migrated, a role with only <c>SELECT</c>, <c>INSERT</c> and
/// <c>USAGE</c> on the sequence can run the gateway (then even the owner's triggers cannot be dropped by it).
/// The connection string is never logged nor put in an error: only host, port and database are.
/// </remarks>
internal sealed partial class PostgresAuditStore : IAuditStore, IAsyncDisposable, IDisposable
{
    /// <summary>The advisory lock the migration holds ("PHNXAUDT").</summary>
    private const long MigrationLock = 0x50484E5841554454;

    private const string Migration = """
        DO $migrate$
        BEGIN
            IF to_regclass('audit_events') IS NULL THEN
                CREATE TABLE audit_events (
                    seq bigserial PRIMARY KEY,
                    run_id text NOT NULL,
                    event text NOT NULL CHECK (event IN ('accepted', 'finished')),
                    at timestamptz NOT NULL,
                    key_id text NOT NULL,
                    command text NOT NULL,
                    args_digest text NOT NULL,
                    limits text NOT NULL,
                    status text NOT NULL,
                    exit_code integer,
                    wall_ms bigint,
                    cpu_ms bigint,
                    peak_memory_bytes bigint,
                    executor text,
                    trace_id text NOT NULL,
                    client_address text,
                    CONSTRAINT audit_events_run_event UNIQUE (run_id, event));
            END IF;
            IF to_regclass('audit_events_key') IS NULL THEN
                CREATE INDEX audit_events_key ON audit_events (key_id, seq);
            END IF;
            IF to_regprocedure('audit_events_append_only()') IS NULL THEN
                CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    RAISE EXCEPTION 'audit is append-only' USING ERRCODE = 'insufficient_privilege';
                END
                $fn$;
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND tgname = 'audit_events_no_update') THEN
                CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
                    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND tgname = 'audit_events_no_delete') THEN
                CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
                    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
            END IF;
            IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND tgname = 'audit_events_no_truncate') THEN
                CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
            END IF;
        END
        $migrate$
        """;

    private const string Insert = """
        INSERT INTO audit_events (run_id, event, at, key_id, command, args_digest, limits, status, exit_code, wall_ms, cpu_ms,
                                  peak_memory_bytes, executor, trace_id, client_address)
        VALUES (@run, @event, @at, @key, @command, @digest, @limits, @status, @exit, @wall, @cpu, @peak, @executor, @trace, @client)
        """;

    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(3);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger _logger;
    private readonly string _target;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;
    private bool _forceSynchronousCommit;

    /// <summary>Creates the store; nothing is sent to the server until the first call.</summary>
    /// <exception cref="ArgumentException">The connection string is not valid (the message does not quote it).</exception>
    public PostgresAuditStore(string connectionString, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        if (ValidateConnectionString(connectionString) is { } error)
        {
            throw new ArgumentException(error, nameof(connectionString));
        }

        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.ConnectionStringBuilder.PersistSecurityInfo = false;
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName))
        {
            builder.ConnectionStringBuilder.ApplicationName = "phoenix-gateway";
        }

        _target = Describe(builder.ConnectionStringBuilder);
        _dataSource = builder.Build();
        _logger = logger;
    }

    /// <summary>
    /// Why <paramref name="connectionString"/> cannot be used, or <see langword="null"/> when it can. The answer
    /// never quotes the connection string (it holds a password).
    /// </summary>
    public static string? ValidateConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return "The PostgreSQL audit connection string is required.";
        }

        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(parsed.Host) ? "The PostgreSQL audit connection string names no Host." : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The parser's message may quote the password: never repeat it.
            return "The PostgreSQL audit connection string is not valid (keywords: Host, Port, Database, Username, Password, …).";
        }
    }

    /// <summary>Creates the table, index and append-only triggers when missing; once per store (retried after a failure).</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaLock.WaitAsync(cancellationToken);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var batch = new NpgsqlBatch(connection, transaction))
            {
                var lockCommand = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
                lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = MigrationLock });
                batch.BatchCommands.Add(lockCommand);
                batch.BatchCommands.Add(new NpgsqlBatchCommand(Migration));
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);

            await using (var settings = new NpgsqlCommand("SELECT current_setting('synchronous_commit'), current_setting('fsync')", connection))
            await using (var reader = await settings.ExecuteReaderAsync(cancellationToken))
            {
                await reader.ReadAsync(cancellationToken);
                var synchronousCommit = reader.GetString(0);
                _forceSynchronousCommit = string.Equals(synchronousCommit, "off", StringComparison.OrdinalIgnoreCase);
                if (_forceSynchronousCommit)
                {
                    LogSynchronousCommitOff(_logger, _target);
                }

                if (string.Equals(reader.GetString(1), "off", StringComparison.OrdinalIgnoreCase))
                {
                    LogFsyncOff(_logger, _target);
                }
            }

            _schemaReady = true;
            LogReady(_logger, _target);
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    public Task AcceptedAsync(AuditRecord record, CancellationToken cancellationToken) => InsertAsync("accepted", record, record.AcceptedAt);

    public Task FinishedAsync(AuditRecord record, CancellationToken cancellationToken) => InsertAsync("finished", record, record.FinishedAt ?? record.AcceptedAt);

    public async Task<AuditPageDto> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);

        // PostgreSQL text cannot hold NUL, so nothing stored can match a filter that has one (and the server would
        // refuse the parameter): the answer is an empty page.
        if (query.KeyId?.Contains('\0', StringComparison.Ordinal) == true || query.Status?.Contains('\0', StringComparison.Ordinal) == true)
        {
            return new AuditPageDto([], null);
        }

        await EnsureSchemaAsync(cancellationToken);
        await using var command = _dataSource.CreateCommand();
        var where = new List<string> { "a.event = 'accepted'" };
        if (query.KeyId is { } key)
        {
            where.Add("a.key_id = @key");
            command.Parameters.Add(new NpgsqlParameter("key", NpgsqlDbType.Text) { Value = key });
        }

        if (query.Status is { } status)
        {
            where.Add("COALESCE(f.status, a.status) = @status");
            command.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = status });
        }

        if (query.From is { } from)
        {
            where.Add("a.at >= @from");
            command.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.ToUniversalTime() });
        }

        if (query.To is { } to)
        {
            where.Add("a.at < @to");
            command.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to.ToUniversalTime() });
        }

        if (query.Before is { } before && long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var cursor))
        {
            where.Add("a.seq < @before");
            command.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.Bigint) { Value = cursor });
        }

        command.CommandText = $"""
            SELECT a.seq, a.run_id, a.at, f.at, a.key_id, a.command, a.args_digest, a.limits, COALESCE(f.status, a.status),
                   f.exit_code, f.wall_ms, f.cpu_ms, f.peak_memory_bytes, f.executor, a.trace_id, a.client_address
            FROM audit_events a LEFT JOIN audit_events f ON f.run_id = a.run_id AND f.event = 'finished'
            WHERE {string.Join(" AND ", where)}
            ORDER BY a.seq DESC LIMIT @limit
            """;
        command.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Bigint) { Value = (long)query.Limit + 1 });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await AuditPageReader.ReadAsync(reader, query.Limit, static (r, i) => r.GetFieldValue<DateTimeOffset>(i), cancellationToken);
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PingTimeout);
        try
        {
            await using var command = _dataSource.CreateCommand("SELECT 1");
            return await command.ExecuteScalarAsync(timeout.Token) is not null;
        }
        catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnreachable(_logger, _target, e.GetType().Name);
            return false;
        }
    }

    public void Dispose()
    {
        _dataSource.Dispose();
        _schemaLock.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        _schemaLock.Dispose();
    }

    private static string Describe(NpgsqlConnectionStringBuilder connection) =>
        string.Create(CultureInfo.InvariantCulture, $"{connection.Host}:{connection.Port}/{connection.Database ?? connection.Username ?? "(default)"}");

    private async Task InsertAsync(string kind, AuditRecord record, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(record);

        // The caller's cancellation is ignored once we write: an acknowledged run is always recorded.
        await EnsureSchemaAsync(CancellationToken.None);
        await using var connection = await _dataSource.OpenConnectionAsync(CancellationToken.None);
        var durable = kind == "finished";
        if (!_forceSynchronousCommit && durable)
        {
            // Autocommit: the INSERT returns once the server has committed it (synchronous_commit on or stronger).
            await using var command = new NpgsqlCommand(Insert, connection);
            AddInsertParameters(command.Parameters, kind, record, at);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
            return;
        }

        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            // An accepted row is committed without waiting for the WAL flush (the server has it; a crash of the gateway
            // loses nothing); the run's finished row is committed with the flush, which covers every earlier commit.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(durable ? "SET LOCAL synchronous_commit = on" : "SET LOCAL synchronous_commit = off"));
            var insert = new NpgsqlBatchCommand(Insert);
            AddInsertParameters(insert.Parameters, kind, record, at);
            batch.BatchCommands.Add(insert);
            await batch.ExecuteNonQueryAsync(CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    private static void AddInsertParameters(NpgsqlParameterCollection parameters, string kind, AuditRecord record, DateTimeOffset at)
    {
        parameters.Add(Text("run", record.RunId));
        parameters.Add(Text("event", kind));
        parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = at.ToUniversalTime() });
        parameters.Add(Text("key", record.KeyId));
        parameters.Add(Text("command", record.Command));
        parameters.Add(Text("digest", record.ArgsDigest));
        parameters.Add(Text("limits", record.Limits));
        parameters.Add(Text("status", record.Status));
        parameters.Add(new NpgsqlParameter("exit", NpgsqlDbType.Integer) { Value = (object?)record.ExitCode ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter("wall", NpgsqlDbType.Bigint) { Value = (object?)record.WallMs ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter("cpu", NpgsqlDbType.Bigint) { Value = (object?)record.CpuMs ?? DBNull.Value });
        parameters.Add(new NpgsqlParameter("peak", NpgsqlDbType.Bigint) { Value = (object?)record.PeakMemoryBytes ?? DBNull.Value });
        parameters.Add(Text("executor", record.Executor));
        parameters.Add(Text("trace", record.TraceId));
        parameters.Add(Text("client", record.ClientAddress));
    }

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };
}
