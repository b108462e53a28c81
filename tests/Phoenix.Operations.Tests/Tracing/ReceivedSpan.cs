using Phoenix.Operations.Tests.Tracing.Otlp;

namespace Phoenix.Operations.Tests.Tracing;

/// <summary>One exported span and where it came from.</summary>
public sealed record ReceivedSpan(string Service, string Scope, Span Span)
{
    public string TraceId => Convert.ToHexStringLower(Span.TraceId.Span);

    public string SpanId => Convert.ToHexStringLower(Span.SpanId.Span);

    public string ParentSpanId => Span.ParentSpanId.IsEmpty ? string.Empty : Convert.ToHexStringLower(Span.ParentSpanId.Span);

    public string Name => Span.Name;

    /// <summary>The attribute's value as text (strings as they are, numbers and booleans invariant), or null.</summary>
    public string? Attribute(string key) => Text(Span.Attributes.FirstOrDefault(a => a.Key == key)?.Value);

    /// <summary>The attributes of the first event named <paramref name="name"/>, or null when there is none.</summary>
    public IReadOnlyDictionary<string, string?>? Event(string name) =>
        Span.Events.FirstOrDefault(e => e.Name == name)?.Attributes.ToDictionary(a => a.Key, a => Text(a.Value));

    /// <inheritdoc />
    public override string ToString() =>
        $"{Service}: {Name} ({Span.Kind}) trace {TraceId} span {SpanId} parent {ParentSpanId} [{string.Join(", ", Span.Attributes.Select(a => $"{a.Key}={Text(a.Value)}"))}]";

    internal static string? Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        null or AnyValue.ValueOneofCase.None => null,
        _ => value.ToString(),
    };
}
