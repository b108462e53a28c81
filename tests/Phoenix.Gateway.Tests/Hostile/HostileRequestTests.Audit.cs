using System.Text.Json;

namespace Phoenix.Gateway.Tests.Hostile;

/// <summary>Audit query abuse: out-of-range numbers, bad dates and cursors, SQL injection in filters. 400 or an empty page.</summary>
public sealed partial class HostileRequestTests
{
    // query → (accepted statuses, field named in errors when 400; null: any).
    private static readonly Dictionary<string, (int[] Statuses, string? Field)> AuditQueries = new(StringComparer.Ordinal)
    {
        ["limit=-1"] = ([400], "limit"),
        ["limit=0"] = ([400], "limit"),
        ["limit=999999"] = ([400], "limit"),
        ["limit=501"] = ([400], "limit"),
        ["limit=1e3"] = ([400], "limit"),
        ["limit=%2B5"] = ([400], "limit"),
        ["limit="] = ([400], "limit"),
        ["limit=5&limit=6"] = ([400], "limit"),
        ["limit=99999999999999999999"] = ([400], "limit"),
        ["from=notadate"] = ([400], "from"),
        ["to=notadate"] = ([400], "to"),
        ["from=9999-99-99"] = ([400], "from"),
        ["from=%00"] = ([400], "from"),
        ["from=0001-01-01T00:00:00%2B14:00"] = ([400], "from"),
        ["to=9999-12-31T23:59:59-14:00"] = ([200, 400], "to"),
        ["to=0001-01-01T00:00:00Z"] = ([200], null),
        ["from=9999-12-31T23:59:59Z"] = ([200], null),
        ["before=-1"] = ([400], "before"),
        ["before=abc"] = ([400], "before"),
        ["before=99999999999999999999"] = ([400], "before"),
        ["before=0"] = ([200], null),
        ["key=%27%20OR%20%271%27%3D%271"] = ([200], null),
        ["key=x%27%3B%20DROP%20TABLE%20audit_events%3B--"] = ([200], null),
        ["key=test-admin%27%20--"] = ([200], null),
        ["key=%25"] = ([200], null),
        ["key=%00"] = ([200], null),
        ["key=" + new string('k', 65)] = ([400], "key"),
        ["status=%27%20OR%201%3D1%20--"] = ([400], "status"),
        ["status=succeeded%27%20OR%20%271%27%3D%271"] = ([400], "status"),
        ["status=SUCCEEDED"] = ([400], "status"),
        ["orderBy=seq%3BDROP%20TABLE%20audit_events"] = ([200], null),
    };

    public static TheoryData<string> AuditQueryCases => Names(AuditQueries);

    [Theory]
    [MemberData(nameof(AuditQueryCases))]
    public async Task Audit_HostileQuery_Is400OrEmpty(string query)
    {
        var (statuses, field) = AuditQueries[query];

        var response = await GetAsync("/api/v1/audit?" + query, AdminKey);

        var problem = Expect(response, statuses);
        if (response.Status == 400 && field is not null)
        {
            HostileAssert.HasFieldError(problem, field, response);
        }

        if (response.Status == 200 && (query.StartsWith("key=", StringComparison.Ordinal) || query.StartsWith("to=0001", StringComparison.Ordinal) || query.StartsWith("from=9999", StringComparison.Ordinal) || query == "before=0"))
        {
            using var page = JsonDocument.Parse(response.Body);
            Assert.Equal(0, page.RootElement.GetProperty("records").GetArrayLength());
        }
    }

    [Fact]
    public async Task Audit_AfterInjectionAttempts_TableIsIntact()
    {
        Expect(await PostJsonAsync(Execute, EchoBody), 200);
        Expect(await GetAsync("/api/v1/audit?key=x%27%3B%20DROP%20TABLE%20audit_events%3B--", AdminKey), 200);
        Expect(await GetAsync("/api/v1/audit?status=x%27%3B%20DELETE%20FROM%20audit_events%3B--", AdminKey), 400);

        var response = await GetAsync("/api/v1/audit?key=test-admin&limit=1", AdminKey);

        Expect(response, 200);
        using var page = JsonDocument.Parse(response.Body);
        Assert.Equal(1, page.RootElement.GetProperty("records").GetArrayLength());
    }
}
