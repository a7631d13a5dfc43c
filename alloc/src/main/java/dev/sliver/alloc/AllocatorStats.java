package dev.sliver.alloc;

import java.util.ArrayList;
import java.util.List;

/**
 * A snapshot of a {@link ThreadCachingAllocator}. Counters of live threads are read without
 * stopping them, so a snapshot taken under load is approximate; at rest it is exact.
 *
 * @param classes        per size class counts, smallest class first
 * @param bytesInUse     bytes of blocks held by callers (block sizes, plus exact large sizes)
 * @param bytesCached    bytes of free blocks kept for reuse: thread caches, central cache, spans, idle large blocks
 * @param bytesMapped    bytes currently taken from the OS
 * @param bytesReturned  bytes given back to the OS since creation
 * @param largeInUse     large allocations held by callers
 * @param threadCaches   thread caches alive (platform threads seen and not yet reaped)
 */
public record AllocatorStats(List<ClassStats> classes, long bytesInUse, long bytesCached, long bytesMapped,
                             long bytesReturned, long largeInUse, int threadCaches) {
    /** {@return the allocations in every size class} */
    public long allocations() {
        return classes.stream().mapToLong(ClassStats::allocations).sum();
    }

    /** {@return the frees in every size class} */
    public long frees() {
        return classes.stream().mapToLong(ClassStats::frees).sum();
    }

    /** {@return the thread-cache hit rate over every size class}, from 0 to 1 */
    public double threadCacheHitRate() {
        long allocations = allocations();
        long refills = classes.stream().mapToLong(ClassStats::refills).sum();
        return allocations == 0 ? 0 : 1.0 - (double) refills / allocations;
    }

    /** Takes the snapshot that {@link ThreadCachingAllocator#stats()} returns, from the allocator's parts. */
    static AllocatorStats collect(AllocatorCounters counters, CentralCache central, Pool[] pools, LargeBlocks large,
                                  ThreadCaches caches, Stripes stripes) {
        int classes = SizeClasses.count();
        long[] allocations = new long[classes];
        long[] frees = new long[classes];
        long[] refills = new long[classes];
        long[] flushes = new long[classes];
        counters.addCountsTo(allocations, frees, refills, flushes);
        long cached = central.cachedBytes() + large.idleBytes();
        cached += caches.addCountsTo(allocations, frees, refills, flushes);
        cached += stripes.addCountsTo(allocations, frees, refills, flushes);
        for (Pool pool : pools) {
            cached += pool.spanFreeBytes();
        }
        List<ClassStats> perClass = new ArrayList<>(classes);
        long inUse = large.liveBytes();
        for (int c = 0; c < classes; c++) {
            perClass.add(new ClassStats(SizeClasses.size(c), allocations[c], frees[c], refills[c], flushes[c]));
            inUse += (allocations[c] - frees[c]) * SizeClasses.size(c);
        }
        // Live caches are read racily (allocations are derived from counts that move), so under
        // load the sum can be briefly off; it is exact at rest and never reported below zero.
        return new AllocatorStats(List.copyOf(perClass), Math.max(0, inUse), cached, counters.mappedBytes(),
                counters.returnedBytes(), large.liveCount(), caches.live());
    }
}
