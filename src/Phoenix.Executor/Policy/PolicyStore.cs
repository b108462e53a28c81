using Phoenix.Resilience.Configuration;

namespace Phoenix.Executor.Policy;

/// <summary>
/// The policy in force, resolved (allowlisted names → absolute paths) once per applied configuration.
/// Validation and reload are the snapshot's: an invalid reload never reaches here.
/// </summary>
internal sealed class PolicyStore
{
    private ExecutionPolicy _current;

    public PolicyStore(ReloadableSnapshot<PolicyOptions> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _current = ExecutionPolicy.Resolve(snapshot.Current);
        snapshot.Changed += options => Volatile.Write(ref _current, ExecutionPolicy.Resolve(options));
    }

    public ExecutionPolicy Current => Volatile.Read(ref _current);
}
