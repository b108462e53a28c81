using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Phoenix.Gateway.Audit;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary>Which store <c>Phoenix:Gateway:Audit</c> selects, and what is refused at start (without quoting secrets).</summary>
[SupportedOSPlatform("linux")]
public sealed class AuditServiceCollectionExtensionsTests : IDisposable
{
    private const string Secret = "Sup3r-Secret-Pa55";
    private readonly string _dataDir = Path.Join("/var/lib/phoenix-tests", "audit-di-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task AddGatewayAudit_NoProvider_SqliteInTheDataDirectory()
    {
        using var host = AuditHost.Build(new Dictionary<string, string?>(), _dataDir);
        await host.StartAsync();

        var store = host.Services.GetRequiredService<IAuditStore>();

        Assert.IsType<SqliteAuditStore>(store);
        Assert.True(File.Exists(Path.Join(_dataDir, "audit.db")));
        Assert.True(await store.PingAsync(CancellationToken.None));
        await host.StopAsync();
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("postgres")]
    [InlineData("POSTGRES")]
    public void AddGatewayAudit_ProviderPostgres_PostgresStoreWithoutConnecting(string provider)
    {
        using var host = AuditHost.Build(new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Audit:Provider"] = provider,
            ["Phoenix:Gateway:Audit:ConnectionString"] = $"Host=db.invalid;Database=audit;Username=phoenix;Password={Secret}",
        }, _dataDir);

        Assert.IsType<PostgresAuditStore>(host.Services.GetRequiredService<IAuditStore>());
        Assert.False(File.Exists(Path.Join(_dataDir, "audit.db")));
    }

    [Theory]
    [InlineData(null, "ConnectionString")]
    [InlineData("", "ConnectionString")]
    [InlineData("Password=" + Secret + ";Database=audit", "Host")]
    [InlineData("Host=db;Password=" + Secret + ";Not A Keyword=1", "not valid")]
    [InlineData("Host=db;Port=x" + Secret, "not valid")]
    public async Task Start_ProviderPostgresBadConnectionString_FailsNamingTheSettingNotTheSecret(string? connectionString, string expected)
    {
        using var host = AuditHost.Build(new Dictionary<string, string?>
        {
            ["Phoenix:Gateway:Audit:Provider"] = "Postgres",
            ["Phoenix:Gateway:Audit:ConnectionString"] = connectionString,
        }, _dataDir);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Phoenix:Gateway:Audit:ConnectionString", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownProvider_FailsNamingTheChoices()
    {
        using var host = AuditHost.Build(new Dictionary<string, string?> { ["Phoenix:Gateway:Audit:Provider"] = "Mongo" }, _dataDir);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Sqlite or Postgres", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGatewayAudit_StoreAlreadyRegistered_KeepsIt()
    {
        var mine = new SqliteAuditStore(Path.Join(_dataDir, "mine.db"));
        using var host = AuditHost.Build(
            new Dictionary<string, string?> { ["Phoenix:Gateway:Audit:Provider"] = "Postgres", ["Phoenix:Gateway:Audit:ConnectionString"] = "Host=db" },
            _dataDir,
            services => services.AddSingleton<IAuditStore>(mine));

        Assert.Same(mine, host.Services.GetRequiredService<IAuditStore>());
        mine.Dispose();
    }

    [Fact]
    public void AuditOptions_ToString_RedactsTheConnectionString()
    {
        var options = new AuditOptions { Provider = "Postgres", ConnectionString = $"Host=db;Password={Secret}" };

        Assert.DoesNotContain(Secret, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("Postgres", options.ToString(), StringComparison.Ordinal);
    }
}
