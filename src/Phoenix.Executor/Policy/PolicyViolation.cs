namespace Phoenix.Executor.Policy;

/// <summary>One problem with a request.</summary>
/// <param name="Field">The request field, in the HTTP API's naming (<c>env.LD_PRELOAD</c>, <c>files[0].path</c>).</param>
/// <param name="Message">Safe to show the caller.</param>
/// <param name="Code">Stable code, e.g. <c>policy.command_not_allowed</c>.</param>
/// <param name="Forbidden">True when the policy forbids it (403); false when the request is malformed or too large (400).</param>
internal sealed record PolicyViolation(string Field, string Message, string Code, bool Forbidden);
