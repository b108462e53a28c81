namespace Phoenix.Faults.Tests.Support;

/// <summary>One measurement of a service: resident memory and, when its metrics answered, the managed heap after the last GC.</summary>
internal sealed record MemorySample(TimeSpan At, string Service, long ResidentBytes, long? ManagedHeapBytes);
