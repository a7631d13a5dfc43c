package dev.sliver.alloc;

import dev.sliver.core.MemoryAllocator;

import java.lang.foreign.MemorySegment;

/**
 * A {@link ThreadCachingAllocator} bound to the platform thread that made it with
 * {@link ThreadCachingAllocator#local()}: the same allocator, minus the lookup of the thread's
 * cache on every call. On its own thread it goes straight to the thread's cache; on any other
 * thread, or when made on a virtual thread, each call simply takes the allocator's own path, so
 * the handle is never wrong, only not faster there. Blocks move freely between the handle and the
 * allocator: either may free what the other handed out. Thread-safe.
 */
public final class LocalHandle implements MemoryAllocator {
    private final ThreadCachingAllocator allocator;
    /** The maker's cache, or null when made on a virtual thread. */
    private final ThreadCache cache;
    private final Thread thread;

    LocalHandle(ThreadCachingAllocator allocator, ThreadCache cache) {
        this.allocator = allocator;
        this.cache = cache;
        this.thread = cache == null ? null : cache.thread;
    }

    /**
     * Allocates as {@link ThreadCachingAllocator#allocate(long, long)} does.
     *
     * @param byteSize  the size in bytes, {@code >= 0}
     * @param alignment a power of two
     * @return a segment of exactly {@code byteSize} bytes, not zeroed
     * @throws IllegalArgumentException if the size is negative or the alignment not a power of two
     * @throws IllegalStateException    if the allocator is closed
     */
    @Override
    public MemorySegment allocate(long byteSize, long alignment) {
        // The allocator's fast path with the cache already in hand: points 2 to 4 beside
        // ThreadCachingAllocator.allocate hold as they are, and the thread test stands for point
        // 1: thread is final, and only the cache's thread passes it, so the cache's plain arrays
        // stay confined to their thread.
        if (Thread.currentThread() != thread || !allocator.isCacheable(byteSize, alignment) || allocator.closed) {
            return allocator.allocate(byteSize, alignment);
        }
        return cache.allocate(SizeClasses.classOf(byteSize), byteSize);
    }

    /**
     * Allocates as {@link ThreadCachingAllocator#allocate(long)} does.
     *
     * @param byteSize the size in bytes, {@code >= 0}
     * @return a segment of exactly {@code byteSize} bytes aligned to 16, not zeroed
     * @throws IllegalArgumentException if the size is negative
     * @throws IllegalStateException    if the allocator is closed
     */
    @Override
    public MemorySegment allocate(long byteSize) {
        return allocate(byteSize, 1);
    }

    /**
     * Frees as {@link ThreadCachingAllocator#free} does.
     *
     * @param segment a segment that this allocator or any handle on it handed out
     * @throws IllegalArgumentException if the segment is not a block of the allocator, or is a slice of one
     * @throws IllegalStateException    if the block is not allocated (a double or stale free), or the allocator is closed
     */
    @Override
    public void free(MemorySegment segment) {
        // As ThreadCachingAllocator.free, with the thread test standing for the table lookup.
        if (Thread.currentThread() != thread || allocator.closed || !cache.free(segment)) {
            allocator.free(segment);
        }
    }

    @Override
    public String toString() {
        return "LocalHandle[" + allocator.name() + ", " + (thread == null ? "no thread" : thread.getName()) + "]";
    }
}
