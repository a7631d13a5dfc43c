package dev.sliver.alloc;

/**
 * The JMX view of a {@link ThreadCachingAllocator}, registered by
 * {@link ThreadCachingAllocator#registerMXBean(String)} under {@code dev.sliver:type=ThreadCachingAllocator,name=...}.
 */
public interface ThreadCachingAllocatorMXBean {
    /** See {@link AllocatorStats#bytesInUse()}. */
    long getBytesInUse();

    /** See {@link AllocatorStats#bytesCached()}. */
    long getBytesCached();

    /** See {@link AllocatorStats#bytesMapped()}. */
    long getBytesMapped();

    /** See {@link AllocatorStats#bytesReturned()}. */
    long getBytesReturned();

    /** See {@link AllocatorStats#allocations()}. */
    long getAllocations();

    /** See {@link AllocatorStats#frees()}. */
    long getFrees();

    /** See {@link AllocatorStats#threadCacheHitRate()}. */
    double getThreadCacheHitRate();

    /** See {@link AllocatorStats#threadCaches()}. */
    int getThreadCaches();
}
