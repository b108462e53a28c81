using Phoenix.Contracts.Executor;
using Phoenix.Resilience.Errors;

namespace Phoenix.Gateway.Forwarding;

/// <summary>A run's result from an executor, or why there is none; <paramref name="MayHaveRun"/> is false only when the run certainly never started.</summary>
internal sealed record ForwardResult(ExecuteResult? Result, PhoenixError? Error, string? Executor, bool MayHaveRun);
