using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Phoenix.Gateway.Vitals;

namespace Phoenix.Gateway.Tests.Vitals;

public sealed class RequestMetricsMiddlewareTests : IAsyncLifetime
{
    private VitalsTestApp _app = null!;
    private GatewayMeterRecorder _recorder = null!;

    public async Task InitializeAsync()
    {
        _app = await VitalsTestApp.StartAsync(
            api =>
            {
                api.MapGet("/items/{id}", (string id) => id);
                api.MapGet("/secure", () => "secret").RequireAuthorization();
                api.MapGet("/limited", () => TypedResults.StatusCode(StatusCodes.Status429TooManyRequests)).RequireAuthorization();
            },
            app => app.MapGet("/boom", string () => throw new InvalidOperationException("boom")));
        _recorder = new GatewayMeterRecorder(_app.MeterFactory);
    }

    public async Task DisposeAsync()
    {
        _recorder.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task InvokeAsync_RoutedRequest_InVitalsAndHttpServerDurationByRouteTemplateAndStatus()
    {
        using var client = _app.Client(permissions: null);

        using var response = await client.GetAsync("/api/v1/items/42");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var duration = await _recorder.WaitForAsync(m => m.Instrument == GatewayMeterRecorder.HttpServerRequestDuration);
        Assert.Equal("/api/v1/items/{id}", duration.Tag("http.route"));
        Assert.Equal(200, duration.Tag("http.response.status_code"));
        Assert.Equal(1, _app.Stats.Snapshot(TimeSpan.FromSeconds(10)).Requests);
    }

    [Fact]
    public async Task InvokeAsync_Healthz_NotRecorded()
    {
        using var client = _app.Client(permissions: null);

        // One connection: the second request is handled only after the first has left the pipeline.
        using var health = await client.GetAsync("/healthz");
        using var item = await client.GetAsync("/api/v1/items/1");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await _recorder.WaitForAsync(m => m.Instrument == GatewayMeterRecorder.HttpServerRequestDuration && Equals(m.Tag("http.route"), "/api/v1/items/{id}"));
        Assert.Equal(1, _app.Stats.Snapshot(TimeSpan.FromSeconds(10)).Requests);
    }

    [Fact]
    public async Task InvokeAsync_NoEndpoint_404WithoutRouteInHttpServerDuration()
    {
        using var client = _app.Client(permissions: null);

        using var response = await client.GetAsync("/nowhere/at/all");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var request = await _recorder.WaitForAsync(m => m.Instrument == GatewayMeterRecorder.HttpServerRequestDuration);
        Assert.Null(request.Tag("http.route"));
        Assert.Equal(404, request.Tag("http.response.status_code"));
        Assert.Equal(1, _app.Stats.Snapshot(TimeSpan.FromSeconds(10)).Requests);
    }

    [Fact]
    public async Task InvokeAsync_HandlerThrows_Records500AsError()
    {
        using var client = _app.Client(permissions: null);

        using var response = await client.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var request = await _recorder.WaitForAsync(m => m.Instrument == GatewayMeterRecorder.HttpServerRequestDuration);
        Assert.Equal(500, request.Tag("http.response.status_code"));
        Assert.Equal(1, _app.Stats.Snapshot(TimeSpan.FromSeconds(10)).Errors);
    }

    [Fact]
    public async Task InvokeAsync_Api401_CountsAuthFailureMissing()
    {
        using var client = _app.Client(permissions: null);

        using var response = await client.GetAsync("/api/v1/secure");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var failure = await _recorder.WaitForAsync(m => m.Instrument == GatewayTelemetry.AuthFailuresName);
        Assert.Equal(1, failure.Value);
        Assert.Equal("missing", failure.Tag("phoenix.auth.reason"));
        Assert.Equal(0, _app.Stats.Snapshot(TimeSpan.FromSeconds(10)).Errors);
    }

    [Fact]
    public async Task InvokeAsync_Api429ForAKey_CountsRateLimitRejection()
    {
        using var client = _app.Client(permissions: "execute");

        using var response = await client.GetAsync("/api/v1/limited");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var rejection = await _recorder.WaitForAsync(m => m.Instrument == GatewayTelemetry.RateLimitRejectionsName);
        Assert.Equal("key", rejection.Tag("phoenix.rate_limit.scope"));
        Assert.DoesNotContain(_recorder.Seen, m => m.Instrument == GatewayTelemetry.AuthFailuresName);
    }
}
