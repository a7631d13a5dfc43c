package dev.sliver.alloc;

/**
 * Counts for one size class since the allocator was created.
 *
 * @param blockSize   the class's block size in bytes
 * @param allocations blocks handed out
 * @param frees       blocks given back
 * @param refills     bundles a thread cache took from the central cache (its misses)
 * @param flushes     bundles a thread cache gave to the central cache
 */
public record ClassStats(int blockSize, long allocations, long frees, long refills, long flushes) {
    /** {@return the share of allocations served by a thread cache without going to the central cache}, from 0 to 1 */
    public double threadCacheHitRate() {
        return allocations == 0 ? 0 : 1.0 - (double) refills / allocations;
    }

    /** {@return the blocks handed out and not yet given back} */
    public long inUse() {
        return allocations - frees;
    }
}
