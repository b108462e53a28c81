namespace Phoenix.Operations.Tests.Metrics;

public sealed class PromQlMetricNamesTests
{
    [Theory]
    [InlineData("up", "up")]
    [InlineData("phoenix_executor_runs_total{phoenix_run_status=\"succeeded\"}", "phoenix_executor_runs_total")]
    [InlineData("sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{http_route=~\"/api/.*\"}[5m]))", "http_server_request_duration_seconds_bucket")]
    [InlineData("sum(rate(a_total[5m])) without (instance) / sum(rate(b_total[1h:1m] offset 5m))", "a_total", "b_total")]
    [InlineData("histogram_quantile(0.95, sum by (le) (rate(x_bucket[$__rate_interval])))", "x_bucket")]
    [InlineData("x / on (job, instance) group_left (version) y", "x", "y")]
    [InlineData("a > bool 0.8 or ignoring (otel_scope_name) b unless c", "a", "b", "c")]
    [InlineData("label_replace(m, \"dst\", \"$1\", \"src\", \"(.*)\")", "m")]
    [InlineData("(sum(rate(e{code=~\"5..\"}[5m])) or vector(0)) / sum(rate(t[5m]))", "e", "t")]
    [InlineData("instance:phoenix_process_cpu:ratio_rate5m{instance=~\"${gateway:regex}\"} > 1e-3", "instance:phoenix_process_cpu:ratio_rate5m")]
    [InlineData("# a comment naming not_a_metric\nm_total * 60", "m_total")]
    [InlineData("count_values(\"version\", build_info) * inf", "build_info")]
    [InlineData("sum without (le) (x) + sum(y) by (job) + z @ start()", "x", "y", "z")]
    public void Of_Expression_ReturnsOnlyMetricNames(string expression, params string[] expected) =>
        Assert.Equal(expected, PromQlMetricNames.Of(expression));

    [Fact]
    public void Of_SameNameTwice_ListedOnce() =>
        Assert.Equal(["m"], PromQlMetricNames.Of("m / m"));

    [Fact]
    public void Of_UnbalancedBraces_Throws() =>
        Assert.Throws<FormatException>(() => PromQlMetricNames.Of("m{job=\"x\""));
}
