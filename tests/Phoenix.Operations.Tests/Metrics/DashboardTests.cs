using System.Text.Json;

namespace Phoenix.Operations.Tests.Metrics;

/// <summary>The shape of deploy/grafana/phoenix.json: what Grafana needs to import it against any Prometheus.</summary>
public sealed class DashboardTests
{
    private readonly GrafanaDashboard _dashboard = GrafanaDashboard.Load();

    [Fact]
    public void Dashboard_Rows_GatewayExecutorSandboxSecurityInOrder()
    {
        var rows = _dashboard.Panels.Where(p => p.GetProperty("type").GetString() == "row").Select(p => p.GetProperty("title").GetString());

        Assert.Equal(["Gateway", "Executor", "Sandbox", "Security"], rows);
    }

    [Fact]
    public void Dashboard_EveryPanel_UsesTheDatasourceVariable()
    {
        var variable = Assert.Single(_dashboard.Variables, v => v.GetProperty("name").GetString() == "datasource");
        Assert.Equal("datasource", variable.GetProperty("type").GetString());
        Assert.Equal("prometheus", variable.GetProperty("query").GetString());

        var panels = _dashboard.Panels.Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.NotEmpty(panels);
        Assert.All(panels, p =>
        {
            Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.All(p.GetProperty("targets").EnumerateArray(), t => Assert.Equal("${datasource}", t.GetProperty("datasource").GetProperty("uid").GetString()));
        });
    }

    [Fact]
    public void Dashboard_Header_SchemaVersionUidAndUniquePanelIds()
    {
        Assert.InRange(_dashboard.Root.GetProperty("schemaVersion").GetInt32(), 36, 41);
        Assert.False(string.IsNullOrEmpty(_dashboard.Root.GetProperty("uid").GetString()));
        var ids = _dashboard.Panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Dashboard_Panels_DoNotOverlap()
    {
        var boxes = _dashboard.Panels.Select(p => (Title: p.GetProperty("title").GetString(), Box: p.GetProperty("gridPos"))).ToList();

        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                Assert.False(Overlap(boxes[i].Box, boxes[j].Box), $"'{boxes[i].Title}' overlaps '{boxes[j].Title}'");
            }
        }
    }

    private static bool Overlap(JsonElement a, JsonElement b)
    {
        static (int X, int Y, int W, int H) Of(JsonElement e) =>
            (e.GetProperty("x").GetInt32(), e.GetProperty("y").GetInt32(), e.GetProperty("w").GetInt32(), e.GetProperty("h").GetInt32());
        var (ax, ay, aw, ah) = Of(a);
        var (bx, by, bw, bh) = Of(b);
        return ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah;
    }
}
