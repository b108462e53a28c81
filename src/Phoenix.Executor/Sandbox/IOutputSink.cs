namespace Phoenix.Executor.Sandbox;

/// <summary>Receives output as the command produces it (for streaming). Chunks beyond the cap are not delivered.</summary>
internal interface IOutputSink
{
    ValueTask WriteAsync(bool stderr, ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken);
}
