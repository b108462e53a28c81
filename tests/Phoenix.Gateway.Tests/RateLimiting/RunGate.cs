namespace Phoenix.Gateway.Tests.RateLimiting;

/// <summary>Holds the <c>/run</c> handlers open until <see cref="Open"/>; tells when a number of them are inside.</summary>
internal sealed class RunGate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _lock = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _entered;

    /// <summary>Called by a handler when it starts; completes when the gate opens.</summary>
    public Task EnterAsync()
    {
        lock (_lock)
        {
            _entered++;
            foreach (var waiter in _waiters.Where(w => w.Count <= _entered))
            {
                waiter.Reached.TrySetResult();
            }
        }

        return _open.Task;
    }

    /// <summary>Completes once <paramref name="count"/> handlers have entered.</summary>
    public Task WhenEnteredAsync(int count)
    {
        lock (_lock)
        {
            if (_entered >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    public void Open() => _open.TrySetResult();
}
