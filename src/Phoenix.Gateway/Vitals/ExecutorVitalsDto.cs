namespace Phoenix.Gateway.Vitals;

/// <summary>One executor in a <c>vitals</c> event.</summary>
/// <param name="Name">Its configured name.</param>
/// <param name="State"><c>up</c> when its last gRPC health check answered SERVING, else <c>down</c>.</param>
/// <param name="Circuit">Its circuit: <c>closed</c>, <c>open</c> (also when isolated by hand) or <c>half_open</c>.</param>
/// <param name="InFlight">Runs this gateway has in flight on it.</param>
/// <param name="Capacity">Runs it may execute at once, from configuration; null when unknown.</param>
internal sealed record ExecutorVitalsDto(string Name, string State, string Circuit, int InFlight, int? Capacity);
