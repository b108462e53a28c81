namespace Phoenix.Gateway.Tests.Vitals;

/// <summary>One measurement seen by <see cref="GatewayMeterRecorder"/>.</summary>
internal sealed record RecordedMeasurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? Tag(string name) => Tags.TryGetValue(name, out var value) ? value : null;
}
