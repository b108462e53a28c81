using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Phoenix.Hosting.Health;
using Phoenix.Hosting.Tests.Support;
using Phoenix.Resilience.Sanitization;

namespace Phoenix.Hosting.Tests.Health;

public sealed class HealthResponseWriterTests
{
    private const string SecretDescription = "cannot read /etc/phoenix/secrets/keys.json with key phx_live_0123456789abcdef0123456789abcdef";
    private const string ExceptionText = "boom in /home/phoenix/src/Secret.cs: password=hunter2";

    [Fact]
    public async Task WriteAsync_CheckThrows_NoExceptionTextOrStackTraceInResponse()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("throws", new ThrowingHealthCheck(ExceptionText), tags: [HealthCheckTags.Ready]);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await using var host = await LoopbackApp.StartAsync(app);

        using var response = await host.Client.GetAsync("/readyz");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain("boom", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
        Assert.DoesNotContain("/home/phoenix", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        var check = json.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "throws");
        Assert.Equal(HealthResponseWriter.FailedDescription, check.GetProperty("description").GetString());
    }

    [Fact]
    public async Task WriteAsync_DescriptionWithSecretAndHostPath_WrittenSanitized()
    {
        var builder = LoopbackApp.CreateBuilder().AddServiceDefaults();
        builder.Services.AddHealthChecks().AddCheck("keys", () => HealthCheckResult.Unhealthy(SecretDescription), [HealthCheckTags.Ready]);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        await using var host = await LoopbackApp.StartAsync(app);

        using var response = await host.Client.GetAsync("/readyz");
        var body = await response.Content.ReadAsStringAsync();

        using var json = JsonDocument.Parse(body);
        var check = json.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "keys");
        Assert.Equal(MessageSanitizer.Sanitize(SecretDescription), check.GetProperty("description").GetString());
        Assert.DoesNotContain("0123456789abcdef", body, StringComparison.Ordinal);
        Assert.DoesNotContain("/etc/phoenix", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_TimedOut_SaysSoWithoutExceptionText()
    {
        var exception = new OperationCanceledException("token at /srv/x cancelled");
        var entry = new HealthReportEntry(HealthStatus.Unhealthy, exception.Message, TimeSpan.Zero, exception, null);

        Assert.Equal(HealthResponseWriter.TimedOutDescription, HealthResponseWriter.Describe(entry));
    }

    [Fact]
    public void Describe_NoDescription_Null()
    {
        var entry = new HealthReportEntry(HealthStatus.Healthy, null, TimeSpan.Zero, null, null);

        Assert.Null(HealthResponseWriter.Describe(entry));
    }
}
