using Microsoft.Extensions.Primitives;

namespace Phoenix.Hosting.Configuration;

/// <summary>
/// Watches one file by polling its metadata (exists, length, last write time) on a <see cref="TimeProvider"/> timer,
/// and hands out change tokens that fire when it differs from the last poll.
/// </summary>
/// <remarks>
/// Why not <c>PhysicalFileProvider.Watch</c>: inotify is unreliable on some filesystems (overlay, network, and
/// Kubernetes ConfigMap mounts that swap a symlink), and the provider's own polling
/// (<c>UsePollingFileWatcher</c>/<c>UseActivePolling</c>) runs every 4 seconds, fixed and not configurable, which
/// misses the 2-second reload budget of the design. Polling <c>stat</c> once a second is cheap, identical on every
/// filesystem, follows symlinks, and is driven by the injected clock so tests can advance it.
/// A writer should replace the file atomically (write elsewhere, then rename); a half-written file is rejected
/// like any invalid one and the next poll picks up the complete file.
/// </remarks>
internal sealed class FileChangeWatcher : IDisposable
{
    /// <summary>Default poll period.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private FileStamp _state;
    private CancellationTokenSource _changed = new();
    private bool _disposed;

    public FileChangeWatcher(string path, TimeProvider timeProvider, TimeSpan interval)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _path = path;
        _state = FileStamp.Read(path);
        _timer = timeProvider.CreateTimer(_ => Poll(), null, interval, interval);
    }

    /// <summary>The full path watched.</summary>
    public string Path => _path;

    /// <summary>A token that fires at the next detected change.</summary>
    public IChangeToken Watch()
    {
        lock (_lock)
        {
            return _disposed ? new CancellationChangeToken(CancellationToken.None) : new CancellationChangeToken(_changed.Token);
        }
    }

    /// <summary>Compares the file with the last poll now; fires the current token when it changed.</summary>
    internal void Poll()
    {
        CancellationTokenSource? fired = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var current = FileStamp.Read(_path);
            if (current == _state)
            {
                return;
            }

            _state = current;
            fired = _changed;
            _changed = new CancellationTokenSource();
        }

        fired.Cancel();
        fired.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _timer.Dispose();
        _changed.Dispose();
    }
}
