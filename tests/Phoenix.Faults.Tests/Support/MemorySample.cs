namespace Phoenix.Faults.Tests.Support;

/// <summary>One measurement of a service's resident memory.</summary>
internal sealed record MemorySample(TimeSpan At, string Service, long ResidentBytes);
