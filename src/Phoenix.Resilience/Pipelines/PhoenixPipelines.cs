using System.Collections.Concurrent;
using Polly;
using Polly.Registry;
using Phoenix.Resilience.Circuits;
using Phoenix.Resilience.Configuration;

namespace Phoenix.Resilience.Pipelines;

/// <summary>
/// The service's configured pipelines, kept current with <c>Phoenix:Resilience:Pipelines</c>. Built on
/// Polly's <see cref="ResiliencePipelineRegistry{TKey}"/> and its reload support: when a reload changes
/// one pipeline's options, only that pipeline is rebuilt (others keep their circuit state); an invalid
/// reload never reaches here (the snapshot rejects it). A pipeline removed from configuration keeps its
/// last options until restart, so callers holding it never fail.
/// </summary>
public sealed class PhoenixPipelines : IDisposable
{
    private readonly ReloadableSnapshot<ResilienceOptions> _options;
    private readonly ResiliencePipelineRegistry<string> _registry;
    private readonly CircuitRegistry _circuits;
    private readonly PipelinePredicates _predicates;
    private readonly ConcurrentDictionary<string, Built> _built = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the catalog.</summary>
    public PhoenixPipelines(
        ReloadableSnapshot<ResilienceOptions> options,
        ResiliencePipelineRegistry<string> registry,
        CircuitRegistry circuits,
        PipelinePredicates? predicates = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _circuits = circuits ?? throw new ArgumentNullException(nameof(circuits));
        _predicates = predicates ?? PipelinePredicates.Default;
        _options.Changed += OnOptionsChanged;
    }

    /// <summary>Names of the pipelines in the configuration in force.</summary>
    public IReadOnlyCollection<string> Names => _options.Current.Pipelines.Keys;

    /// <summary>The pipeline named <paramref name="name"/>. The instance stays valid across reloads.</summary>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is configured.</exception>
    public ResiliencePipeline Get(string name) =>
        TryGet(name, out var pipeline)
            ? pipeline
            : throw new KeyNotFoundException($"No resilience pipeline named '{name}' is configured (known: {string.Join(", ", Names)}).");

    /// <summary>Gets the pipeline named <paramref name="name"/> if it is configured.</summary>
    public bool TryGet(string name, out ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_options.Current.Pipelines.ContainsKey(name) && !_built.ContainsKey(name))
        {
            pipeline = ResiliencePipeline.Empty;
            return false;
        }

        pipeline = _registry.GetOrAddPipeline(name.ToLowerInvariant(), Configure);
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _options.Changed -= OnOptionsChanged;
        foreach (var built in _built.Values)
        {
            built.Reload.Dispose();
        }
    }

    private void Configure(ResiliencePipelineBuilder builder, ConfigureBuilderContext<string> context)
    {
        var name = context.PipelineKey;
        var options = _options.Current.Pipelines.TryGetValue(name, out var current)
            ? current
            : _built.TryGetValue(name, out var previous) ? previous.Options : new PipelineOptions();
        var reload = new CancellationTokenSource();
        var replaced = new Built(options, reload);
        Built? previousBuild = null;
        _built.AddOrUpdate(name, replaced, (_, existing) =>
        {
            previousBuild = existing;
            return replaced;
        });
        previousBuild?.Reload.Dispose();
        context.AddReloadToken(reload.Token);
        builder.AddPhoenixStrategies(name, options, _circuits, _predicates);
    }

    private void OnOptionsChanged(ResilienceOptions updated)
    {
        foreach (var (name, built) in _built)
        {
            if (updated.Pipelines.TryGetValue(name, out var options) && !Equals(options, built.Options))
            {
                built.Reload.Cancel();
            }
        }
    }

    private sealed record Built(PipelineOptions Options, CancellationTokenSource Reload);
}
