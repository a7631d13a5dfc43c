package dev.sliver.alloc;

/**
 * The JMX view of a {@link ThreadCachingAllocator}, registered by
 * {@link ThreadCachingAllocator#registerMXBean(String)} under {@code dev.sliver:type=ThreadCachingAllocator,name=...}.
 */
public interface ThreadCachingAllocatorMXBean {
    /** {@return the bytes of blocks held by callers}, see {@link AllocatorStats#bytesInUse()} */
    long getBytesInUse();

    /** {@return the bytes of free blocks kept for reuse}, see {@link AllocatorStats#bytesCached()} */
    long getBytesCached();

    /** {@return the bytes currently taken from the OS}, see {@link AllocatorStats#bytesMapped()} */
    long getBytesMapped();

    /** {@return the bytes given back to the OS since creation}, see {@link AllocatorStats#bytesReturned()} */
    long getBytesReturned();

    /** {@return the allocations in every size class}, see {@link AllocatorStats#allocations()} */
    long getAllocations();

    /** {@return the frees in every size class}, see {@link AllocatorStats#frees()} */
    long getFrees();

    /** {@return the thread-cache hit rate over every size class}, see {@link AllocatorStats#threadCacheHitRate()} */
    double getThreadCacheHitRate();

    /** {@return the number of thread caches alive}, see {@link AllocatorStats#threadCaches()} */
    int getThreadCaches();
}
