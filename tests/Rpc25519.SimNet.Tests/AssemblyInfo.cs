// Escape detection reads process-wide counters (live timers, thread-pool work), so simulations must not run while
// other tests in this process start timers or pool work: the whole assembly runs its tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
