package dev.sliver.alloc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One of several independently locked owners of chunks and spans (the design note's "arenas";
 * that name belongs to {@code java.lang.foreign}). Threads are spread over pools round-robin, so
 * threads refilling or draining at the same time mostly take different locks.
 *
 * <p>Everything here runs under the pool's own lock, which no other class takes: carving spans
 * from chunks, handing out bundles of fresh blocks, taking blocks back from the central cache,
 * and releasing empty chunks.
 */
final class Pool {
    private final ReentrantLock lock = new ReentrantLock();
    private final PageMap pageMap;
    private final AllocatorCounters counters;
    /** For the error of a refill that races the allocator's close. */
    private final String allocatorName;
    private final List<Chunk> chunks = new ArrayList<>();
    /** Per class: spans that still hold free blocks. */
    private final List<ArrayDeque<Span>> partial = new ArrayList<>();
    /** Set by {@link #unmapAll}: a refill racing the allocator's close must not map a chunk nobody unmaps. */
    private boolean closed;

    Pool(PageMap pageMap, AllocatorCounters counters, String allocatorName) {
        this.pageMap = pageMap;
        this.counters = counters;
        this.allocatorName = allocatorName;
        for (int c = 0; c < SizeClasses.count(); c++) {
            partial.add(new ArrayDeque<>());
        }
    }

    /** Fills {@code dst[at..at+max)} with blocks of class {@code cls}; returns how many (always > 0). */
    int allocateBundle(int cls, long[] dst, int at, int max) {
        lock.lock();
        try {
            if (closed) {
                throw ThreadCachingAllocator.closedError(allocatorName);
            }
            int n = 0;
            ArrayDeque<Span> spans = partial.get(cls);
            while (n < max) {
                Span span = spans.peekFirst();
                if (span == null) {
                    span = newSpan(cls);
                    spans.addFirst(span);
                    span.listed = true;
                }
                n += span.take(dst, at + n, max - n);
                if (span.freeCount() == 0) {
                    spans.pollFirst();
                    span.listed = false;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives back to their spans the blocks at {@code blocks[from..end)} for as long as they are
     * this pool's, under this pool's lock; returns the index of the first block that is another
     * pool's ({@code end} if none is). The caller found {@code blocks[from]} to be this pool's.
     */
    int giveBack(long[] blocks, int from, int end) {
        lock.lock();
        try {
            int i = from;
            for (Span span; i < end && (span = pageMap.get(blocks[i])).chunk.pool == this; i++) {
                span.giveBack(blocks[i]);
                relist(span);
            }
            return i;
        } finally {
            lock.unlock();
        }
    }

    /** After a block came back: a span now unused returns its pages; one that was full is listed again. */
    private void relist(Span span) {
        if (span.isUnused()) {
            if (span.listed) {
                partial.get(span.sizeClass).remove(span);
                span.listed = false;
            }
            pageMap.set(span.base, span.pages, null);
            span.chunk.releasePages(span.firstPage, span.pages);
        } else if (!span.listed) {
            partial.get(span.sizeClass).addLast(span);
            span.listed = true;
        }
    }

    private Span newSpan(int cls) {
        int pages = SizeClasses.spanPages(cls);
        for (Chunk chunk : chunks) {
            int first = chunk.takePages(pages);
            if (first >= 0) {
                return register(new Span(chunk, first, pages, cls));
            }
        }
        Chunk chunk = new Chunk(this);
        chunks.add(chunk);
        counters.mapped(Chunk.BYTES);
        return register(new Span(chunk, chunk.takePages(pages), pages, cls));
    }

    private Span register(Span span) {
        pageMap.set(span.base, span.pages, span);
        return span;
    }

    /** Unmaps chunks that stayed empty for {@code decayNanos}; returns the bytes released. */
    long releaseIdleChunks(long now, long decayNanos) {
        lock.lock();
        try {
            long released = 0;
            for (Iterator<Chunk> it = chunks.iterator(); it.hasNext(); ) {
                Chunk chunk = it.next();
                if (chunk.isEmpty() && now - chunk.emptySince >= decayNanos) {
                    it.remove();
                    chunk.unmap();
                    released += Chunk.BYTES;
                }
            }
            counters.unmapped(released);
            return released;
        } finally {
            lock.unlock();
        }
    }

    /** Unmaps every chunk (allocator close). */
    void unmapAll() {
        lock.lock();
        try {
            closed = true;
            for (Chunk chunk : chunks) {
                chunk.unmap();
                counters.unmapped(Chunk.BYTES);
            }
            chunks.clear();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of free blocks held by spans (statistics). */
    long spanFreeBytes() {
        lock.lock();
        try {
            long bytes = 0;
            for (ArrayDeque<Span> spans : partial) {
                for (Span span : spans) {
                    bytes += (long) span.freeCount() * span.blockSize;
                }
            }
            return bytes;
        } finally {
            lock.unlock();
        }
    }
}
