using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Phoenix.Resilience.Security;

namespace Phoenix.Resilience.Configuration;

/// <summary>
/// An immutable, validated configuration snapshot that reloads when its source changes.
/// A reload builds the new value, validates all of it (DataAnnotations, recursively, plus every
/// <see cref="IValidateOptions{TOptions}"/>), then swaps it in with one reference write. An invalid
/// reload is rejected: the last good value stays, a <see cref="SecurityEventIds.ConfigurationRejected"/>
/// event is logged and <see cref="LastRejection"/> says why.
/// </summary>
/// <typeparam name="T">The snapshot type; treat it as immutable.</typeparam>
public sealed partial class ReloadableSnapshot<T> : IDisposable
    where T : class
{
    private readonly Func<T> _load;
    private readonly IReadOnlyList<IValidateOptions<T>> _validators;
    private readonly ILogger _security;
    private readonly TimeProvider _time;
    private readonly IDisposable _subscription;
    private readonly Lock _reloadLock = new();
    private T _current;
    private ReloadRejection? _lastRejection;
    private CancellationTokenSource _changed = new();

    /// <summary>Loads and validates the first value and subscribes to changes.</summary>
    /// <param name="name">Name used in logs and health (e.g. <c>executor-policy</c>).</param>
    /// <param name="load">Builds a fresh value from the source. May throw (unreadable file, bad JSON): that counts as invalid.</param>
    /// <param name="changeToken">Produces the token that fires when the source changes.</param>
    /// <param name="validators">Cross-field validators; DataAnnotations are always checked.</param>
    /// <param name="loggerFactory">Where the security events go (category <see cref="SecurityEventIds.Category"/>).</param>
    /// <param name="timeProvider">Clock for rejection timestamps.</param>
    /// <exception cref="OptionsValidationException">The first value is not valid: the service must refuse to start.</exception>
    public ReloadableSnapshot(
        string name,
        Func<T> load,
        Func<IChangeToken?> changeToken,
        IEnumerable<IValidateOptions<T>>? validators,
        ILoggerFactory loggerFactory,
        TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(changeToken);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        Name = name;
        _load = load;
        _validators = validators?.ToArray() ?? [];
        _security = loggerFactory.CreateLogger(SecurityEventIds.Category);
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

        var (value, errors) = TryBuild();
        if (value is null)
        {
            throw new OptionsValidationException(name, typeof(T), errors);
        }

        _current = value;
        _subscription = ChangeToken.OnChange(changeToken, () => Reload());
    }

    /// <summary>The snapshot's name.</summary>
    public string Name { get; }

    /// <summary>The value in force: always the last one that passed validation.</summary>
    public T Current => Volatile.Read(ref _current);

    /// <summary>How many values have been applied, counting the first (1).</summary>
    public long Version { get; private set; } = 1;

    /// <summary>The most recent rejected reload, cleared by the next applied one.</summary>
    public ReloadRejection? LastRejection => Volatile.Read(ref _lastRejection);

    /// <summary>A token cancelled when a new value is applied (for Polly's <c>AddReloadToken</c>); a fresh one after each change.</summary>
    public CancellationToken ChangedToken => Volatile.Read(ref _changed).Token;

    /// <summary>Raised after a new value is applied.</summary>
    public event Action<T>? Changed;

    /// <summary>Reads the source again now. Returns whether a new value was applied.</summary>
    public bool Reload()
    {
        lock (_reloadLock)
        {
            var (value, errors) = TryBuild();
            if (value is null)
            {
                Volatile.Write(ref _lastRejection, new ReloadRejection(Name, _time.GetUtcNow(), errors));
                LogRejected(_security, Name, string.Join("; ", errors));
                return false;
            }

            Volatile.Write(ref _current, value);
            Volatile.Write(ref _lastRejection, null);
            Version++;
            LogApplied(_security, Name, Version);
            var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
            previous.Cancel();
            previous.Dispose();
        }

        Changed?.Invoke(Current);
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _subscription.Dispose();
        _changed.Dispose();
    }

    private (T? Value, List<string> Errors) TryBuild()
    {
        T value;
        try
        {
            value = _load() ?? throw new InvalidOperationException("The source produced no value.");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (null, [$"{Name}: cannot be read: {ex.GetType().Name}: {ex.Message}"]);
        }

        var errors = new List<string>();
        CollectDataAnnotationErrors(value, string.Empty, errors, depth: 0);
        foreach (var validator in _validators)
        {
            var result = validator.Validate(Name, value);
            if (result.Failed)
            {
                errors.AddRange(result.Failures ?? [result.FailureMessage]);
            }
        }

        return errors.Count == 0 ? (value, errors) : (null, errors);
    }

    /// <summary>Validates DataAnnotations of <paramref name="instance"/> and of its nested option objects and dictionary values.</summary>
    internal static void CollectDataAnnotationErrors(object instance, string prefix, List<string> errors, int depth)
    {
        if (depth > 8)
        {
            return;
        }

        var results = new List<ValidationResult>();
        Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var members = result.MemberNames.Any() ? string.Join(",", result.MemberNames.Select(m => prefix + m)) : prefix.TrimEnd('.');
            errors.Add($"{members}: {result.ErrorMessage}");
        }

        foreach (var property in instance.GetType().GetProperties())
        {
            if (property.GetIndexParameters().Length > 0 || property.PropertyType.IsValueType || property.PropertyType == typeof(string))
            {
                continue;
            }

            var child = property.GetValue(instance);
            switch (child)
            {
                case null:
                    break;
                case System.Collections.IDictionary dictionary:
                    foreach (System.Collections.DictionaryEntry entry in dictionary)
                    {
                        if (entry.Value is { } item && !item.GetType().IsValueType && item is not string)
                        {
                            CollectDataAnnotationErrors(item, $"{prefix}{property.Name}:{entry.Key}.", errors, depth + 1);
                        }
                    }

                    break;
                case System.Collections.IEnumerable:
                    break;
                default:
                    if (property.PropertyType.Namespace?.StartsWith("System", StringComparison.Ordinal) != true)
                    {
                        CollectDataAnnotationErrors(child, $"{prefix}{property.Name}.", errors, depth + 1);
                    }

                    break;
            }
        }
    }

    [LoggerMessage(EventId = 5007, EventName = "ConfigurationRejected", Level = LogLevel.Warning,
        Message = "Configuration reload of {Source} rejected; the last good configuration stays in force: {Errors}")]
    private static partial void LogRejected(ILogger logger, string source, string errors);

    [LoggerMessage(EventId = 5008, EventName = "ConfigurationApplied", Level = LogLevel.Information,
        Message = "Configuration reload of {Source} applied (version {Version})")]
    private static partial void LogApplied(ILogger logger, string source, long version);
}
