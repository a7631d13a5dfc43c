package dev.sliver.alloc;

import java.lang.foreign.MemorySegment;

/**
 * What stands behind {@link ThreadCachingAllocator}'s front door: its layers, wired together
 * (the page map, the counters, the central cache, the pools, the large blocks, the caches of
 * platform threads and the stripes of virtual ones), and every path through them that is not a
 * fast path: a request the fast path turned away, a decay tick, a statistics snapshot, and the
 * unmapping at close. The fast paths themselves, and the ordering argument that makes them
 * correct, stay beside the allocator's {@code allocate} and {@code free}.
 *
 * <p>The slow paths take the allocator's {@code closed} flag as read by the caller (a volatile
 * read at the call), so the flag has one home, the front door, where the fast paths read it.
 */
final class Layers {
    final PageMap pageMap = new PageMap();
    final AllocatorCounters counters = new AllocatorCounters();
    final CentralCache central = new CentralCache(pageMap);
    final Pool[] pools;
    final LargeBlocks large;
    final ThreadCaches caches;
    final Stripes stripes;
    private final long largeThreshold;
    private final long decayNanos;
    private final String name;

    Layers(AllocatorSettings settings, String name) {
        this.largeThreshold = settings.largeThreshold();
        this.decayNanos = settings.decay().toNanos();
        this.name = name;
        this.large = new LargeBlocks(counters, settings.maxIdleLargeBytes(), name);
        this.pools = new Pool[settings.pools()];
        for (int i = 0; i < pools.length; i++) {
            pools[i] = new Pool(pageMap, counters, name);
        }
        this.caches = new ThreadCaches(pools, central, pageMap, counters, settings.threadCacheBytes(), name);
        this.stripes = new Stripes(settings.stripes(), pools, central, pageMap, counters, settings.threadCacheBytes());
    }

    /**
     * An allocation off the fast path: bad arguments, a closed allocator, over-alignment, a large
     * size, a virtual thread, or a platform thread whose cache is not in the table by thread id.
     */
    MemorySegment allocate(long byteSize, long alignment, Thread thread, boolean closed) {
        if (byteSize < 0 || alignment <= 0 || (alignment & (alignment - 1)) != 0 || closed) {
            throw badRequest(byteSize, alignment);
        }
        // An over-aligned request takes a class whose blocks are multiples of the alignment: with
        // 16-byte granules and power-of-two classes up to the 64 KiB page, such blocks are aligned.
        long size = alignment > SizeClasses.MIN_ALIGNMENT ? (Math.max(byteSize, 1) + alignment - 1) & -alignment : byteSize;
        if (size > largeThreshold || alignment > SizeClasses.PAGE_SIZE || size < 0) {
            return large.allocate(byteSize, alignment);
        }
        int cls = SizeClasses.classOf(size);
        return thread.isVirtual() ? stripes.allocate(cls, byteSize, thread) : caches.current().allocate(cls, byteSize);
    }

    private RuntimeException badRequest(long byteSize, long alignment) {
        if (byteSize < 0) {
            return new IllegalArgumentException("negative size: " + byteSize);
        }
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            return new IllegalArgumentException("alignment is not a power of two: " + alignment);
        }
        return ThreadCachingAllocator.closedError(name);
    }

    /** A free off the fast path: a virtual thread, a first call, a large block, a foreign segment, or a closed allocator. */
    void free(MemorySegment segment, Thread thread, boolean closed) {
        if (closed) {
            throw ThreadCachingAllocator.closedError(name);
        }
        Span span = segment.isNative() ? pageMap.get(segment.address()) : null;
        if (span == null) {
            if (!large.free(segment)) {
                throw new IllegalArgumentException("free of a segment at 0x" + Long.toHexString(segment.address())
                        + " (" + segment.byteSize() + " bytes) that this allocator did not hand out, or that was "
                        + "already freed");
            }
        } else if (thread.isVirtual()) {
            span.free(segment);
            stripes.free(thread, span.sizeClass, segment.address());
        } else {
            caches.current().free(segment); // the table by thread id missed: finds or creates the cache, then the fast path
        }
    }

    /**
     * One decay tick as if the clock read {@code now}: reap dead threads, drain central stacks that
     * did not move since the last tick, unmap chunks and idle large blocks unused for the decay period.
     */
    void decayAt(long now) {
        caches.reapDeadThreads();
        central.drainIdle();
        for (Pool pool : pools) {
            pool.releaseIdleChunks(now, decayNanos);
        }
        large.releaseIdle(now, decayNanos);
    }

    /** The snapshot {@link ThreadCachingAllocator#stats()} returns. */
    AllocatorStats stats() {
        return AllocatorStats.collect(counters, central, pools, large, caches, stripes);
    }

    /** Unmaps every chunk and large block (the allocator's close, after it stopped making caches). */
    void unmapAll() {
        for (Pool pool : pools) {
            pool.unmapAll();
        }
        large.unmapAll();
    }
}
