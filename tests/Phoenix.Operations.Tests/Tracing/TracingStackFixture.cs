using Phoenix.Testing;

namespace Phoenix.Operations.Tests.Tracing;

/// <summary>
/// An OTLP/HTTP receiver on loopback, and a real gateway and executor (separate processes) exporting to it over
/// http/protobuf with short batch delays; shared by the tests of one class.
/// </summary>
public sealed class TracingStackFixture : IAsyncLifetime
{
    /// <summary>The receiver both services export to.</summary>
    public OtlpReceiver Receiver { get; private set; } = null!;

    /// <summary>The gateway and its one executor.</summary>
    public PhoenixStack Stack { get; private set; } = null!;

    /// <summary>The environment both services get: OTLP export to <paramref name="endpoint"/>, short delays, request logs on.</summary>
    public static IReadOnlyDictionary<string, string?> ExporterEnvironment(Uri endpoint) => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",

        // The framework's per-request lines (off by default in both services): more lines written while handling a request.
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
    };

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Receiver = await OtlpReceiver.StartAsync();
        Stack = await PhoenixStack.StartAsync(new PhoenixStackOptions { Environment = ExporterEnvironment(Receiver.Endpoint) });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Stack is not null)
        {
            await Stack.DisposeAsync();
        }

        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }
    }
}
