using System.Globalization;
using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Phoenix.Gateway.Auth;
using Phoenix.Gateway.Tests.Support;

namespace Phoenix.Gateway.Tests.Audit;

/// <summary><c>GET /api/v1/audit</c> through the real gateway: records written to its store, read back over HTTP.</summary>
[SupportedOSPlatform("linux")]
public sealed class AuditApiTests(AuditStackFixture fixture) : IClassFixture<AuditStackFixture>
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Audit_KeyAndStatusFilters_ReturnOnlyMatchingRecords()
    {
        var key = NewKey();
        var other = NewKey();
        await SeedAsync(key, 3, i => i == 1 ? "failed" : "succeeded");
        await SeedAsync(other, 2, _ => "failed");
        using var client = fixture.Stack.Client();

        using var failed = await GetJsonAsync(client, $"/api/v1/audit?key={key}&status=failed");
        using var all = await GetJsonAsync(client, $"/api/v1/audit?key={key}");

        var record = Assert.Single(Records(failed));
        Assert.Equal($"{key}-1", record.GetProperty("runId").GetString());
        Assert.Equal("failed", record.GetProperty("status").GetString());
        Assert.Equal(key, record.GetProperty("keyId").GetString());
        Assert.Equal(7, record.GetProperty("exitCode").GetInt32());
        Assert.Equal([$"{key}-2", $"{key}-1", $"{key}-0"], Records(all).Select(r => r.GetProperty("runId").GetString()));
        Assert.Equal(JsonValueKind.Null, all.RootElement.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task Audit_TimeRange_FromInclusiveToExclusive()
    {
        var key = NewKey();
        await SeedAsync(key, 5, _ => null);
        using var client = fixture.Stack.Client();
        var from = Uri.EscapeDataString(T0.AddMinutes(1).ToString("O", CultureInfo.InvariantCulture));
        var to = Uri.EscapeDataString(T0.AddMinutes(3).ToString("O", CultureInfo.InvariantCulture));

        using var page = await GetJsonAsync(client, $"/api/v1/audit?key={key}&from={from}&to={to}");

        Assert.Equal([$"{key}-2", $"{key}-1"], Records(page).Select(r => r.GetProperty("runId").GetString()));
        Assert.All(Records(page), r => Assert.Equal("accepted", r.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Audit_25RecordsLimit10_NextCursorWalksNewestFirstWithoutGapsOrDuplicates()
    {
        var key = NewKey();
        await SeedAsync(key, 25, _ => "succeeded");
        using var client = fixture.Stack.Client();

        var seen = new List<string>();
        var sizes = new List<int>();
        string? next = null;
        do
        {
            var url = $"/api/v1/audit?key={key}&limit=10" + (next is null ? string.Empty : "&before=" + Uri.EscapeDataString(next));
            using var page = await GetJsonAsync(client, url);
            var records = Records(page);
            sizes.Add(records.Count);
            seen.AddRange(records.Select(r => r.GetProperty("runId").GetString()!));
            next = page.RootElement.GetProperty("next").GetString();
        }
        while (next is not null && sizes.Count < 10);

        Assert.Equal([10, 10, 5], sizes);
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"{key}-{i}"), seen);
    }

    [Fact]
    public async Task Audit_InvalidQuery_Is400ProblemWithFieldErrors()
    {
        using var client = fixture.Stack.Client();

        using var response = await client.GetAsync(
            "/api/v1/audit?limit=0&status=bogus&from=yesterday&to=2025-13-45&before=abc&key=" + new string('k', 65));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = body.RootElement.GetProperty("errors");
        foreach (var field in new[] { "limit", "status", "from", "to", "before", "key" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
    }

    [Theory]
    [InlineData("limit=501")]
    [InlineData("limit=-1")]
    [InlineData("before=-5")]
    [InlineData("before=1e3")]
    public async Task Audit_OutOfRangeParameter_Is400(string query)
    {
        using var client = fixture.Stack.Client();

        using var response = await client.GetAsync("/api/v1/audit?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("' OR '1'='1")]
    [InlineData("x'; DROP TABLE audit_events; --")]
    [InlineData("%")]
    public async Task Audit_InjectionInKey_Is200Empty(string hostile)
    {
        await SeedAsync(NewKey(), 1, _ => "succeeded");
        using var client = fixture.Stack.Client();

        using var page = await GetJsonAsync(client, "/api/v1/audit?key=" + Uri.EscapeDataString(hostile));

        Assert.Empty(Records(page));
        using var after = await GetJsonAsync(client, "/api/v1/audit?limit=1");
        Assert.Single(Records(after));
    }

    [Fact]
    public async Task Audit_NoCredentials_Is401()
    {
        using var client = fixture.Stack.Anonymous();

        using var response = await client.GetAsync("/api/v1/audit");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Audit_KeyWithOnlyExecute_Is403Problem()
    {
        var executeOnly = ApiKeys.Generate();
        var keysFile = fixture.Stack.KeysFile;
        var admin = await File.ReadAllTextAsync(keysFile);
        using (var document = JsonDocument.Parse(admin))
        {
            var adminEntry = document.RootElement.GetProperty("keys")[0].GetRawText();
            var next = $$"""
                {"keys":[{{adminEntry}},{"id":"test-execute-only","name":"Execute only","hash":"{{ApiKeys.Hash(executeOnly)}}","permissions":["execute"],"rateLimitPerMinute":10000}]}
                """;
            var temporary = keysFile + ".tmp";
            await File.WriteAllTextAsync(temporary, next);
            File.Move(temporary, keysFile, overwrite: true);
        }

        using var client = fixture.Stack.Client(executeOnly);
        await Eventually.TrueAsync(async () =>
        {
            using var probe = await client.GetAsync("/api/v1/audit");
            return probe.StatusCode != HttpStatusCode.Unauthorized;
        });

        using var response = await client.GetAsync("/api/v1/audit");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string NewKey() => "k" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Runs <c>{key}-0</c>… accepted a minute apart; finished with the status <paramref name="outcome"/> gives (null: still open).</summary>
    private async Task SeedAsync(string key, int count, Func<int, string?> outcome)
    {
        for (var i = 0; i < count; i++)
        {
            var accepted = AuditStoreContractTests.Accepted($"{key}-{i}", key, T0.AddMinutes(i));
            await fixture.Store.AcceptedAsync(accepted, CancellationToken.None);
            if (outcome(i) is { } status)
            {
                await fixture.Store.FinishedAsync(
                    accepted with { Status = status, FinishedAt = T0.AddMinutes(i).AddSeconds(1), ExitCode = status == "failed" ? 7 : 0 }, CancellationToken.None);
            }
        }
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text);
    }

    private static List<JsonElement> Records(JsonDocument page) => [.. page.RootElement.GetProperty("records").EnumerateArray()];
}
