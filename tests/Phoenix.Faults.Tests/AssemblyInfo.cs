// The load and fault tests each drive a whole stack (gateway, executors, sandboxes) on a small machine and measure its
// memory and recovery: run one at a time, never next to each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
