namespace Phoenix.Executor.Policy;

/// <summary>A file to write into the workdir before the run; <see cref="Path"/> is relative and checked.</summary>
internal sealed record RunFile(string Path, ReadOnlyMemory<byte> Content, bool Executable);
