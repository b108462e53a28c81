using System.Text;

namespace Phoenix.Executor.Sandbox;

/// <summary>
/// Reads one output stream to its end, keeping at most <c>cap</c> bytes and forwarding them to a sink.
/// Past the cap it keeps draining (so the writer never blocks on a full pipe) but drops the bytes, flags
/// truncation and calls <c>onOverflow</c> once.
/// </summary>
internal sealed class OutputCapture(Stream source, long cap, bool stderr, IOutputSink? sink, Action onOverflow)
{
    private readonly MemoryStream _kept = new();

    public bool Truncated { get; private set; }

    public string Text => Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length);

    public async Task PumpAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
            {
                return;
            }

            if (read == 0)
            {
                return;
            }

            var room = (int)Math.Min(read, cap - _kept.Length);
            if (room > 0)
            {
                _kept.Write(buffer, 0, room);
                if (sink is not null)
                {
                    try
                    {
                        await sink.WriteAsync(stderr, buffer.AsMemory(0, room).ToArray(), cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
                    {
                        // The listener went away; the run goes on (its cancellation is separate).
                        sink = null;
                    }
                }
            }

            if (room < read && !Truncated)
            {
                Truncated = true;
                onOverflow();
            }
        }
    }
}
