namespace Phoenix.Operations.Tests.Metrics;

/// <summary>The output of one promtool run.</summary>
internal sealed record ToolResult(int ExitCode, string Output);
