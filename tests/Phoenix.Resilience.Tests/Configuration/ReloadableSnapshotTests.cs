using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Phoenix.Resilience.Configuration;
using Phoenix.Resilience.Security;
using Phoenix.Resilience.Tests.Support;

namespace Phoenix.Resilience.Tests.Configuration;

public sealed class ReloadableSnapshotTests
{
    private readonly CapturingLoggerFactory _logs = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Constructor_ValidSource_LoadsVersionOne()
    {
        var (_, snapshot) = Create(("Limits:TimeoutMs", "1000"), ("Limits:MaxMs", "5000"));

        Assert.Equal(1000, snapshot.Current.TimeoutMs);
        Assert.Equal(1, snapshot.Version);
        Assert.Null(snapshot.LastRejection);
    }

    [Fact]
    public void Constructor_InvalidFirstLoad_ThrowsWithEveryError()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Create(("Limits:TimeoutMs", "0"), ("Limits:MaxMs", "-1")));

        Assert.Contains(ex.Failures, f => f.Contains("TimeoutMs", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("MaxMs", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_ValidChange_SwapsValueRaisesChangedAndCancelsToken()
    {
        var (config, snapshot) = Create(("Limits:TimeoutMs", "1000"), ("Limits:MaxMs", "5000"));
        var token = snapshot.ChangedToken;
        Limits? seen = null;
        snapshot.Changed += v => seen = v;

        config["Limits:TimeoutMs"] = "2000";
        config.Reload();

        Assert.Equal(2000, snapshot.Current.TimeoutMs);
        Assert.Same(snapshot.Current, seen);
        Assert.Equal(2, snapshot.Version);
        Assert.True(token.IsCancellationRequested);
        Assert.False(snapshot.ChangedToken.IsCancellationRequested);
        Assert.Contains(_logs.Entries, e => e.EventId == SecurityEventIds.ConfigurationApplied);
    }

    [Fact]
    public void Reload_InvalidChange_KeepsLastGoodLogsSecurityEventAndRecordsRejection()
    {
        var (config, snapshot) = Create(("Limits:TimeoutMs", "1000"), ("Limits:MaxMs", "5000"));
        var before = snapshot.Current;
        var changed = false;
        snapshot.Changed += _ => changed = true;

        config["Limits:TimeoutMs"] = "999999";
        config.Reload();

        Assert.Same(before, snapshot.Current);
        Assert.False(changed);
        var rejection = Assert.IsType<ReloadRejection>(snapshot.LastRejection);
        Assert.Equal(_time.GetUtcNow(), rejection.At);
        Assert.Contains(rejection.Errors, e => e.Contains("TimeoutMs", StringComparison.Ordinal));
        var logged = Assert.Single(_logs.Entries, e => e.EventId == SecurityEventIds.ConfigurationRejected);
        Assert.Equal(SecurityEventIds.Category, logged.Category);
    }

    [Fact]
    public void Reload_CrossFieldRuleBroken_RejectedByValidator()
    {
        var (config, snapshot) = Create(("Limits:TimeoutMs", "1000"), ("Limits:MaxMs", "5000"));

        config["Limits:TimeoutMs"] = "6000";
        config.Reload();

        Assert.Equal(1000, snapshot.Current.TimeoutMs);
        Assert.Contains(snapshot.LastRejection!.Errors, e => e.Contains("must not exceed", StringComparison.Ordinal));
    }

    [Fact]
    public void Reload_ValidAfterInvalid_ClearsRejection()
    {
        var (config, snapshot) = Create(("Limits:TimeoutMs", "1000"), ("Limits:MaxMs", "5000"));
        config["Limits:TimeoutMs"] = "0";
        config.Reload();

        config["Limits:TimeoutMs"] = "3000";
        config.Reload();

        Assert.Equal(3000, snapshot.Current.TimeoutMs);
        Assert.Null(snapshot.LastRejection);
    }

    [Fact]
    public void Reload_LoaderThrows_TreatedAsRejection()
    {
        var fail = false;
        using var snapshot = new ReloadableSnapshot<Limits>(
            "file", () => fail ? throw new FormatException("bad json") : new Limits { TimeoutMs = 5, MaxMs = 10 },
            () => null, null, _logs, _time);

        fail = true;
        var applied = snapshot.Reload();

        Assert.False(applied);
        Assert.Equal(5, snapshot.Current.TimeoutMs);
        Assert.Contains(snapshot.LastRejection!.Errors, e => e.Contains("bad json", StringComparison.Ordinal));
    }

    private (IConfigurationRoot Config, ReloadableSnapshot<Limits> Snapshot) Create(params (string Key, string Value)[] values)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        var snapshot = new ReloadableSnapshot<Limits>(
            "limits",
            () => config.GetSection("Limits").Get<Limits>() ?? new Limits(),
            config.GetReloadToken,
            [new LimitsValidator()],
            _logs,
            _time);
        return (config, snapshot);
    }

    public sealed record Limits
    {
        [Range(1, 60_000)]
        public int TimeoutMs { get; init; } = 1000;

        [Range(1, 60_000)]
        public int MaxMs { get; init; } = 60_000;
    }

    private sealed class LimitsValidator : IValidateOptions<Limits>
    {
        public ValidateOptionsResult Validate(string? name, Limits options) =>
            options.TimeoutMs > options.MaxMs ? ValidateOptionsResult.Fail("TimeoutMs must not exceed MaxMs.") : ValidateOptionsResult.Success;
    }
}
