using Phoenix.Resilience.Degradation;

namespace Phoenix.Resilience.Tests.Degradation;

internal sealed class FakeSignal(string name) : IDegradationSignal
{
    private volatile bool _isDegraded;

    public string Name { get; } = name;

    public bool IsDegraded
    {
        get => _isDegraded;
        set => _isDegraded = value;
    }
}
