using System.Data.Common;
using Phoenix.Gateway.Audit;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>
/// What every <see cref="IAuditStore"/> promises, run against each real store by a derived class (a fresh, empty
/// store per test). Times are whole milliseconds: PostgreSQL keeps microseconds, SQLite 100 ns ticks.
/// </summary>
public abstract class AuditStoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);

    /// <summary>The store under test (fresh and empty).</summary>
    internal abstract IAuditStore Store { get; }

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Runs <paramref name="sql"/> on the store's database through the provider's own client, as the store's user.</summary>
    protected abstract Task ExecuteRawAsync(string sql);

    [Fact]
    public async Task AcceptedThenFinished_SameRun_MergeIntoOneRecord()
    {
        var accepted = Accepted("run-1", "key-a", T0) with { ClientAddress = "10.0.0.7" };
        await Store.AcceptedAsync(accepted, CancellationToken.None);

        await Store.FinishedAsync(accepted with
        {
            Status = "succeeded",
            FinishedAt = T0.AddSeconds(2),
            ExitCode = 0,
            WallMs = 1234,
            CpuMs = 567,
            PeakMemoryBytes = 8L * 1024 * 1024 * 1024,
            Executor = "executor-0",
        }, CancellationToken.None);

        var page = await Store.QueryAsync(Query(), CancellationToken.None);
        var record = Assert.Single(page.Records);
        Assert.Null(page.Next);
        Assert.Equal("run-1", record.RunId);
        Assert.Equal("succeeded", record.Status);
        Assert.Equal(T0, record.AcceptedAt);
        Assert.Equal(T0.AddSeconds(2), record.FinishedAt);
        Assert.Equal("key-a", record.KeyId);
        Assert.Equal("python3", record.Command);
        Assert.Equal(accepted.ArgsDigest, record.ArgsDigest);
        Assert.Equal(accepted.Limits, record.Limits);
        Assert.Equal(0, record.ExitCode);
        Assert.Equal(1234, record.WallMs);
        Assert.Equal(567, record.CpuMs);
        Assert.Equal(8L * 1024 * 1024 * 1024, record.PeakMemoryBytes);
        Assert.Equal("executor-0", record.Executor);
        Assert.Equal(accepted.TraceId, record.TraceId);
        Assert.Equal("10.0.0.7", record.ClientAddress);
    }

    [Fact]
    public async Task AcceptedAsync_NoFinish_StatusIsAcceptedWithoutOutcome()
    {
        await Store.AcceptedAsync(Accepted("run-open", "key-a", T0), CancellationToken.None);

        var record = Assert.Single((await Store.QueryAsync(Query(), CancellationToken.None)).Records);

        Assert.Equal("accepted", record.Status);
        Assert.Null(record.FinishedAt);
        Assert.Null(record.ExitCode);
        Assert.Null(record.WallMs);
        Assert.Null(record.Executor);
        Assert.Null(record.ClientAddress);
    }

    [Fact]
    public async Task QueryAsync_EmptyStore_EmptyPageWithoutCursor()
    {
        var page = await Store.QueryAsync(Query(), CancellationToken.None);

        Assert.Empty(page.Records);
        Assert.Null(page.Next);
    }

    [Fact]
    public async Task QueryAsync_KeyFilter_OnlyThatKeysRuns()
    {
        await Store.AcceptedAsync(Accepted("a-1", "key-a", T0), CancellationToken.None);
        await Store.AcceptedAsync(Accepted("b-1", "key-b", T0.AddSeconds(1)), CancellationToken.None);
        await Store.AcceptedAsync(Accepted("a-2", "key-a", T0.AddSeconds(2)), CancellationToken.None);

        var page = await Store.QueryAsync(Query() with { KeyId = "key-a" }, CancellationToken.None);

        Assert.Equal(["a-2", "a-1"], page.Records.Select(r => r.RunId));
        Assert.Empty((await Store.QueryAsync(Query() with { KeyId = "key-" }, CancellationToken.None)).Records);
    }

    [Fact]
    public async Task QueryAsync_StatusFilter_MatchesTheOutcomeOrAcceptedWhenOpen()
    {
        await Store.AcceptedAsync(Accepted("open", "key-a", T0), CancellationToken.None);
        var failed = Accepted("failed", "key-a", T0.AddSeconds(1));
        await Store.AcceptedAsync(failed, CancellationToken.None);
        await Store.FinishedAsync(failed with { Status = "failed", FinishedAt = T0.AddSeconds(3), ExitCode = 7 }, CancellationToken.None);
        var ok = Accepted("ok", "key-a", T0.AddSeconds(2));
        await Store.AcceptedAsync(ok, CancellationToken.None);
        await Store.FinishedAsync(ok with { Status = "succeeded", FinishedAt = T0.AddSeconds(4), ExitCode = 0 }, CancellationToken.None);

        Assert.Equal(["open"], (await Store.QueryAsync(Query() with { Status = "accepted" }, CancellationToken.None)).Records.Select(r => r.RunId));
        Assert.Equal(["failed"], (await Store.QueryAsync(Query() with { Status = "failed" }, CancellationToken.None)).Records.Select(r => r.RunId));
        Assert.Equal(["ok"], (await Store.QueryAsync(Query() with { Status = "succeeded" }, CancellationToken.None)).Records.Select(r => r.RunId));
        Assert.Empty((await Store.QueryAsync(Query() with { Status = "timed_out" }, CancellationToken.None)).Records);
    }

    [Fact]
    public async Task QueryAsync_TimeRange_FromInclusiveToExclusiveOnAcceptedAt()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.AcceptedAsync(Accepted($"run-{i}", "key-a", T0.AddMinutes(i)), CancellationToken.None);
        }

        var page = await Store.QueryAsync(Query() with { From = T0.AddMinutes(1), To = T0.AddMinutes(3) }, CancellationToken.None);
        var fromOnly = await Store.QueryAsync(Query() with { From = T0.AddMinutes(3) }, CancellationToken.None);

        // Another offset for the same instants: the filter is on the instant, not on the local time.
        var eastern = TimeSpan.FromHours(-5);
        var shifted = await Store.QueryAsync(Query() with { From = T0.AddMinutes(1).ToOffset(eastern), To = T0.AddMinutes(3).ToOffset(eastern) }, CancellationToken.None);
        Assert.Equal(["run-2", "run-1"], page.Records.Select(r => r.RunId));
        Assert.Equal(["run-4", "run-3"], fromOnly.Records.Select(r => r.RunId));
        Assert.Equal(["run-2", "run-1"], shifted.Records.Select(r => r.RunId));
    }

    [Fact]
    public async Task QueryAsync_25RecordsInPagesOf10_NewestFirstNoDuplicatesNoGaps()
    {
        for (var i = 0; i < 25; i++)
        {
            await Store.AcceptedAsync(Accepted($"run-{i:00}", "key-a", T0.AddSeconds(i)), CancellationToken.None);
            await Store.AcceptedAsync(Accepted($"other-{i:00}", "key-b", T0.AddSeconds(i)), CancellationToken.None);
        }

        var pages = new List<AuditPageDto>();
        string? cursor = null;
        do
        {
            var page = await Store.QueryAsync(Query(10) with { KeyId = "key-a", Before = cursor }, CancellationToken.None);
            pages.Add(page);
            cursor = page.Next;
        }
        while (cursor is not null && pages.Count < 10);

        Assert.Equal([10, 10, 5], pages.Select(p => p.Records.Count));
        Assert.Null(pages[^1].Next);
        var ids = pages.SelectMany(p => p.Records).Select(r => r.RunId).ToList();
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"run-{i:00}"), ids);
    }

    [Fact]
    public async Task QueryAsync_ExactlyOnePageOfRecords_NoNextCursor()
    {
        for (var i = 0; i < 10; i++)
        {
            await Store.AcceptedAsync(Accepted($"run-{i}", "key-a", T0.AddSeconds(i)), CancellationToken.None);
        }

        var page = await Store.QueryAsync(Query(10), CancellationToken.None);

        Assert.Equal(10, page.Records.Count);
        Assert.Null(page.Next);
    }

    [Theory]
    [InlineData("UPDATE audit_events SET status = 'succeeded'")]
    [InlineData("UPDATE audit_events SET key_id = 'someone-else' WHERE run_id = 'run-1'")]
    [InlineData("DELETE FROM audit_events")]
    [InlineData("DELETE FROM audit_events WHERE run_id = 'run-1'")]
    public async Task RawSql_UpdateOrDelete_FailsAndNothingChanges(string sql)
    {
        await Store.AcceptedAsync(Accepted("run-1", "key-a", T0), CancellationToken.None);

        var error = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteRawAsync(sql));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        var record = Assert.Single((await Store.QueryAsync(Query(), CancellationToken.None)).Records);
        Assert.Equal(("run-1", "key-a", "accepted"), (record.RunId, record.KeyId, record.Status));
    }

    [Fact]
    public async Task AcceptedAsync_SameRunTwice_IsRejected()
    {
        var record = Accepted("run-1", "key-a", T0);
        await Store.AcceptedAsync(record, CancellationToken.None);

        await Assert.ThrowsAnyAsync<DbException>(() => Store.AcceptedAsync(record with { KeyId = "key-forged" }, CancellationToken.None));

        Assert.Equal("key-a", Assert.Single((await Store.QueryAsync(Query(), CancellationToken.None)).Records).KeyId);
    }

    [Fact]
    public async Task FinishedAsync_SameRunTwice_IsRejectedAndTheFirstOutcomeStays()
    {
        var record = Accepted("run-1", "key-a", T0);
        await Store.AcceptedAsync(record, CancellationToken.None);
        await Store.FinishedAsync(record with { Status = "failed", FinishedAt = T0.AddSeconds(1), ExitCode = 1 }, CancellationToken.None);

        await Assert.ThrowsAnyAsync<DbException>(() =>
            Store.FinishedAsync(record with { Status = "succeeded", FinishedAt = T0.AddSeconds(2), ExitCode = 0 }, CancellationToken.None));

        var stored = Assert.Single((await Store.QueryAsync(Query(), CancellationToken.None)).Records);
        Assert.Equal(("failed", 1), (stored.Status, stored.ExitCode));
    }

    [Fact]
    public async Task AcceptedAsync_50ParallelWriters_AllRecorded()
    {
        var writes = Enumerable.Range(0, 50)
            .Select(i => Task.Run(() => Store.AcceptedAsync(Accepted($"run-{i:00}", $"key-{i % 5}", T0.AddMilliseconds(i)), CancellationToken.None)));

        await Task.WhenAll(writes);

        var page = await Store.QueryAsync(Query(100), CancellationToken.None);
        Assert.Equal(50, page.Records.Select(r => r.RunId).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(10, (await Store.QueryAsync(Query(100) with { KeyId = "key-3" }, CancellationToken.None)).Records.Count);
    }

    [Theory]
    [InlineData("' OR '1'='1")]
    [InlineData("key-a' OR 1=1 --")]
    [InlineData("x'; DROP TABLE audit_events; --")]
    [InlineData("\" OR \"\"=\"")]
    [InlineData("' UNION SELECT seq, run_id, at, at, key_id, command, args_digest, limits, status, exit_code, wall_ms, cpu_ms, peak_memory_bytes, executor, trace_id, client_address FROM audit_events --")]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("*")]
    [InlineData("$key")]
    [InlineData("@key")]
    [InlineData("\\'; SELECT 1; --")]
    [InlineData("key-a\0")]
    [InlineData("1; DELETE FROM audit_events")]
    public async Task QueryAsync_InjectionInFilters_EmptyAndHarmless(string hostile)
    {
        await Store.AcceptedAsync(Accepted("run-1", "key-a", T0), CancellationToken.None);

        var byKey = await Store.QueryAsync(Query() with { KeyId = hostile }, CancellationToken.None);
        var byStatus = await Store.QueryAsync(Query() with { Status = hostile }, CancellationToken.None);
        var byCursor = await Store.QueryAsync(Query() with { KeyId = hostile, Before = hostile }, CancellationToken.None);

        Assert.Empty(byKey.Records);
        Assert.Empty(byStatus.Records);
        Assert.Empty(byCursor.Records);
        Assert.Equal("run-1", Assert.Single((await Store.QueryAsync(Query(), CancellationToken.None)).Records).RunId);
    }

    [Fact]
    public async Task PingAsync_StoreUp_True()
    {
        Assert.True(await Store.PingAsync(CancellationToken.None));
    }

    /// <summary>An <c>accepted</c> record of <paramref name="runId"/>.</summary>
    internal static AuditRecord Accepted(string runId, string keyId, DateTimeOffset at) => new()
    {
        RunId = runId,
        AcceptedAt = at,
        KeyId = keyId,
        Command = "python3",
        ArgsDigest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        Limits = """{"timeoutMs":5000}""",
        Status = "accepted",
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
    };

    internal static AuditQuery Query(int limit = 50) => new(null, null, null, null, limit, null);
}
