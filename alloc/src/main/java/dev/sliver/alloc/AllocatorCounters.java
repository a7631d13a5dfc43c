package dev.sliver.alloc;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Allocator-wide counters: bytes mapped and returned, and the per-class counts of thread caches
 * that have been retired (their thread died, or the allocator closed). Live caches keep their own
 * counts in plain fields, so the fast path never touches a shared cache line.
 */
final class AllocatorCounters {
    private final LongAdder mapped = new LongAdder();
    private final LongAdder returned = new LongAdder();
    private final long[] allocations = new long[SizeClasses.count()];
    private final long[] frees = new long[SizeClasses.count()];
    private final long[] refills = new long[SizeClasses.count()];
    private final long[] flushes = new long[SizeClasses.count()];
    /** Virtual-thread allocations and frees that found no stripe to count them in (rare: all busy). */
    private final AtomicLongArray sharedAllocations = new AtomicLongArray(SizeClasses.count());
    private final AtomicLongArray sharedFrees = new AtomicLongArray(SizeClasses.count());

    void mapped(long bytes) {
        mapped.add(bytes);
    }

    void unmapped(long bytes) {
        returned.add(bytes);
    }

    long mappedBytes() {
        return mapped.sum() - returned.sum();
    }

    long returnedBytes() {
        return returned.sum();
    }

    void sharedAllocation(int cls) {
        sharedAllocations.incrementAndGet(cls);
    }

    void sharedFree(int cls) {
        sharedFrees.incrementAndGet(cls);
    }

    synchronized void retire(ThreadCache cache) {
        cache.addCountsTo(allocations, frees, refills, flushes);
    }

    /** Adds the retired counts to the given per-class arrays. */
    synchronized void addCountsTo(long[] a, long[] f, long[] r, long[] fl) {
        for (int c = 0; c < a.length; c++) {
            a[c] += allocations[c] + sharedAllocations.get(c);
            f[c] += frees[c] + sharedFrees.get(c);
            r[c] += refills[c];
            fl[c] += flushes[c];
        }
    }
}
