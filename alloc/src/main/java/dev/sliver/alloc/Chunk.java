package dev.sliver.alloc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A 4 MiB block of memory taken from the OS in one piece and carved into spans of 64 KiB pages.
 *
 * <p>The memory is an anonymous mapping ({@link OsMemory}), resident only once touched. Each chunk
 * has its own shared {@link Arena}, closed (which unmaps) only when the chunk is released after
 * staying empty for the decay period. Closing a shared arena is slow (a handshake with every
 * thread, tens of microseconds), which is why it happens per chunk on the decay thread, never per
 * block. Once closed, any stale segment into the chunk throws on access instead of reading
 * unmapped memory. Guarded by its pool's lock, except {@link #segment} and {@link #base}, which
 * are final.
 */
final class Chunk {
    static final int PAGES = 64;
    static final long BYTES = (long) PAGES * SizeClasses.PAGE_SIZE;

    final Pool pool;
    final MemorySegment segment;
    final long base;
    private final Arena arena;
    /** Bit i set: page i belongs to a span. */
    private long usedPages;
    /** System.nanoTime() when the chunk last became empty; meaningful while usedPages == 0. */
    long emptySince;

    Chunk(Pool pool) {
        this.pool = pool;
        this.arena = Arena.ofShared();
        // Page alignment lets the page map find a block's span from its address alone.
        this.segment = OsMemory.map(BYTES, arena);
        this.base = segment.address();
        this.emptySince = System.nanoTime();
    }

    /** Takes a run of {@code pages} free pages; returns the first page index, or -1. */
    int takePages(int pages) {
        long run = pages == 64 ? -1L : (1L << pages) - 1;
        for (int first = 0; first + pages <= PAGES; first++) {
            if ((usedPages & (run << first)) == 0) {
                usedPages |= run << first;
                return first;
            }
        }
        return -1;
    }

    void releasePages(int first, int pages) {
        long run = pages == 64 ? -1L : (1L << pages) - 1;
        usedPages &= ~(run << first);
        if (usedPages == 0) {
            emptySince = System.nanoTime();
        }
    }

    boolean isEmpty() {
        return usedPages == 0;
    }

    /** Gives the memory back to the OS; stale segments into it throw from now on. */
    void unmap() {
        arena.close();
    }
}
