using System.Collections.Immutable;
using System.Diagnostics;

namespace Phoenix.Resilience.Correlation;

/// <summary>
/// What the code was doing when an error happened: operation, component, the W3C trace id and
/// attributes. Scopes nest and flow across <c>await</c> (an <see cref="AsyncLocal{T}"/>); the trace id
/// is always read from the current <see cref="Activity"/>, which is the correlation id.
/// </summary>
public sealed record ErrorContext
{
    private static readonly AsyncLocal<ErrorContext?> Ambient = new();

    /// <summary>The operation in progress, e.g. <c>execute</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>The component doing it, e.g. <c>gateway.forwarding</c>.</summary>
    public required string Component { get; init; }

    /// <summary>The W3C trace id when the context was entered (hex), or <see langword="null"/> when no activity was running.</summary>
    public string? TraceId { get; init; }

    /// <summary>Attributes, inherited from enclosing contexts and overridden by inner ones.</summary>
    public ImmutableDictionary<string, string> Attributes { get; init; } = ImmutableDictionary<string, string>.Empty;

    /// <summary>The enclosing context, if any.</summary>
    public ErrorContext? Parent { get; init; }

    /// <summary>The innermost context on this async flow, or <see langword="null"/>.</summary>
    public static ErrorContext? Current => Ambient.Value;

    /// <summary>
    /// Enters a context for <paramref name="operation"/> in <paramref name="component"/>; dispose the
    /// returned scope to leave it. Attributes of the enclosing context are inherited.
    /// </summary>
    public static Scope Begin(string operation, string component, IEnumerable<KeyValuePair<string, string>>? attributes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operation);
        ArgumentException.ThrowIfNullOrWhiteSpace(component);
        var parent = Ambient.Value;
        var inherited = parent?.Attributes ?? ImmutableDictionary<string, string>.Empty;
        var context = new ErrorContext
        {
            Operation = operation,
            Component = component,
            TraceId = Activity.Current?.TraceId.ToHexString() ?? parent?.TraceId,
            Attributes = attributes is null ? inherited : inherited.SetItems(attributes),
            Parent = parent,
        };
        Ambient.Value = context;
        return new Scope(context, parent);
    }

    /// <summary>Leaves the context it was created for, restoring the enclosing one.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly ErrorContext? _previous;

        internal Scope(ErrorContext context, ErrorContext? previous)
        {
            Context = context;
            _previous = previous;
        }

        /// <summary>The context this scope entered.</summary>
        public ErrorContext Context { get; }

        /// <inheritdoc />
        public void Dispose()
        {
            if (ReferenceEquals(Ambient.Value, Context))
            {
                Ambient.Value = _previous;
            }
        }
    }
}
