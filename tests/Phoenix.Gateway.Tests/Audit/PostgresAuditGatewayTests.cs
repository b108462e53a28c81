using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Phoenix.Gateway.Audit;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>
/// <c>Phoenix:Gateway:Audit:Provider=Postgres</c> end to end: the real gateway (and executor) auditing into a real,
/// private PostgreSQL (<see cref="PostgresCluster"/>), and a bare host migrating at start.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PostgresAuditGatewayTests(PostgresClusterFixture fixture) : IClassFixture<PostgresClusterFixture>
{
    private PostgresCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Execute_ProviderPostgres_RunIsAuditedInPostgres()
    {
        var connectionString = Cluster.ConnectionString(await Cluster.CreateDatabaseAsync());
        await using var stack = await GatewayStack.StartAsync(Settings(connectionString));
        using var client = stack.Client();

        using var response = await client.PostAsync("/api/v1/execute", GatewayStack.Json("""{"command":"sh","args":["-c","exit 3"]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var run = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = run.RootElement.GetProperty("id").GetString();
        using var audit = JsonDocument.Parse(await client.GetStringAsync("/api/v1/audit?key=test-admin&status=failed"));
        var record = Assert.Single(audit.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal(id, record.GetProperty("runId").GetString());
        Assert.Equal(3, record.GetProperty("exitCode").GetInt32());
        Assert.Equal("executor-0", record.GetProperty("executor").GetString());
        Assert.Equal(run.RootElement.GetProperty("traceId").GetString(), record.GetProperty("traceId").GetString());
        Assert.Equal(["accepted", "finished"], await EventsAsync(connectionString, id!));
        Assert.IsType<PostgresAuditStore>(stack.GatewayServices.GetRequiredService<IAuditStore>());
        Assert.False(File.Exists(Path.Join(stack.Root, "data", "audit.db")));
    }

    [Fact]
    public async Task Health_ProviderPostgresUpThenDown_AuditUpThenDownAndCritical()
    {
        await using var cluster = await PostgresCluster.StartAsync();
        var connectionString = cluster.ConnectionString(await cluster.CreateDatabaseAsync());
        await using var stack = await GatewayStack.StartAsync(Settings(connectionString));
        using var client = stack.Anonymous();

        var up = await AuditDependencyAsync(client);
        await cluster.DisposeAsync();
        var down = await AuditDependencyAsync(client);

        Assert.Equal((HttpStatusCode.OK, "up"), up);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "down"), down);
    }

    [Fact]
    public async Task Start_ProviderPostgres_MigratesTheSchemaBeforeAnyRun()
    {
        var connectionString = Cluster.ConnectionString(await Cluster.CreateDatabaseAsync());
        using var host = AuditHost.Build(Settings(connectionString), DataDir());

        await host.StartAsync();

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass('audit_events') AND tgname LIKE 'audit_events_no_%'", connection);
        Assert.Equal(3L, await command.ExecuteScalarAsync());
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_ProviderPostgresWrongPassword_FailsWithoutQuotingThePassword()
    {
        const string secret = "Wr0ng-Secret-Pa55";
        var connectionString = new NpgsqlConnectionStringBuilder(Cluster.ConnectionString(await Cluster.CreateDatabaseAsync())) { Password = secret }.ConnectionString;
        using var host = AuditHost.Build(Settings(connectionString), DataDir());

        var error = await Assert.ThrowsAsync<PostgresException>(() => host.StartAsync());

        Assert.Equal(PostgresErrorCodes.InvalidPassword, error.SqlState);
        Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(string connectionString) => new()
    {
        ["Phoenix:Gateway:Audit:Provider"] = "Postgres",
        ["Phoenix:Gateway:Audit:ConnectionString"] = connectionString,
    };

    private static string DataDir() => Path.Join("/var/lib/phoenix-tests", "audit-pg-host-" + Guid.NewGuid().ToString("N")[..12]);

    private static async Task<List<string>> EventsAsync(string connectionString, string runId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT event FROM audit_events WHERE run_id = @run ORDER BY seq", connection);
        command.Parameters.AddWithValue("run", runId);
        var events = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(reader.GetString(0));
        }

        return events;
    }

    private static async Task<(HttpStatusCode, string?)> AuditDependencyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var audit = body.RootElement.GetProperty("dependencies").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "audit");
        return (response.StatusCode, audit.GetProperty("status").GetString());
    }
}
