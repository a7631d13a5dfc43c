package dev.sliver.alloc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A per-thread stack of free blocks for every size class: the allocator's fast path.
 *
 * <p>Allocation pops, free pushes, both on plain arrays: no atomics, no locks. A cached block is
 * kept as its span and index, so allocation needs no page-map lookup. An empty stack is refilled
 * with one batch from the central cache; a full one (twice the batch size) flushes its oldest
 * batch there; when the cache holds more than its byte budget (2 MiB by default, the design
 * note's cap) every class gives back half. A cache is used by one thread at a time: its owner,
 * or whoever holds its {@link #tryLock} when it is a stripe shared by virtual threads, or the
 * reaper once the owner is dead.
 */
final class ThreadCache {
    private static final VarHandle BUSY;

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(ThreadCache.class, "busy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The owning platform thread, or null for a stripe. */
    final Thread owner;
    private final Pool pool;
    private final CentralCache central;
    private final PageMap pageMap;
    private final long maxBytes;
    private final Span[][] spans;
    private final int[][] indices;
    private final int[] counts;
    private long bytes;
    /** Per class, at 4c: allocations, frees, refills, flushes. One array keeps the counting to one cache line or two. */
    private final long[] events;
    /** Scratch for moving batches as addresses. */
    private final long[] addresses = new long[64];
    @SuppressWarnings("unused") // accessed through BUSY
    private volatile int busy;

    ThreadCache(Thread owner, Pool pool, CentralCache central, PageMap pageMap, long maxBytes) {
        this.owner = owner;
        this.pool = pool;
        this.central = central;
        this.pageMap = pageMap;
        this.maxBytes = maxBytes;
        int classes = SizeClasses.count();
        this.spans = new Span[classes][];
        this.indices = new int[classes][];
        this.counts = new int[classes];
        this.events = new long[4 * classes];
    }

    /** Hands out a block of class {@code cls} as a segment of {@code size} bytes. */
    MemorySegment allocate(int cls, long size, boolean aligned) {
        events[4 * cls]++;
        int n = counts[cls];
        if (n == 0) {
            n = refill(cls);
        }
        counts[cls] = --n;
        bytes -= SizeClasses.size(cls);
        return spans[cls][n].allocate(indices[cls][n], size, aligned);
    }

    private int refill(int cls) {
        ensureStacks(cls);
        events[4 * cls + 2]++;
        int n = central.refill(cls, addresses, pool);
        Span[] s = spans[cls];
        int[] idx = indices[cls];
        for (int i = 0; i < n; i++) {
            Span span = pageMap.get(addresses[i]);
            s[i] = span;
            idx[i] = span.indexOf(addresses[i]);
        }
        bytes += (long) n * SizeClasses.size(cls);
        return n;
    }

    /** Pushes a freed block; flushes to the central cache when over the class or byte cap. */
    void free(Span span, int index) {
        int cls = span.sizeClass;
        events[4 * cls + 1]++;
        Span[] s = spans[cls];
        int n = counts[cls];
        if (s == null || n == s.length) {
            if (s == null) {
                ensureStacks(cls);
                s = spans[cls];
            } else {
                flushOldest(cls, central.batchSize(cls));
            }
            n = counts[cls];
        }
        s[n] = span;
        indices[cls][n] = index;
        counts[cls] = n + 1;
        bytes += SizeClasses.size(cls);
        if (bytes > maxBytes) {
            scavenge();
        }
    }

    private void ensureStacks(int cls) {
        if (spans[cls] == null) {
            int capacity = 2 * central.batchSize(cls);
            spans[cls] = new Span[capacity];
            indices[cls] = new int[capacity];
        }
    }

    /** Moves the {@code n} oldest blocks of class {@code cls} to the central cache, batch by batch. */
    private void flushOldest(int cls, int n) {
        Span[] s = spans[cls];
        int[] idx = indices[cls];
        int batch = central.batchSize(cls);
        for (int done = 0; done < n; ) {
            int k = Math.min(batch, n - done);
            for (int i = 0; i < k; i++) {
                addresses[i] = s[done + i].address(idx[done + i]);
            }
            central.flush(cls, addresses, 0, k);
            events[4 * cls + 3]++;
            done += k;
        }
        int left = counts[cls] - n;
        System.arraycopy(s, n, s, 0, left);
        System.arraycopy(idx, n, idx, 0, left);
        java.util.Arrays.fill(s, left, left + n, null); // no stale span references
        counts[cls] = left;
        bytes -= (long) n * SizeClasses.size(cls);
    }

    /** Over the byte budget: every class gives back half of what it holds. */
    private void scavenge() {
        for (int c = 0; c < counts.length; c++) {
            int half = (counts[c] + 1) / 2;
            if (half > 0) {
                flushOldest(c, half);
            }
        }
    }

    /** Returns every cached block to the central cache (thread death, allocator close). */
    void flushAll() {
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] > 0) {
                flushOldest(c, counts[c]);
            }
        }
    }

    long cachedBytes() {
        return bytes;
    }

    boolean tryLock() {
        return (int) BUSY.getVolatile(this) == 0 && BUSY.compareAndSet(this, 0, 1);
    }

    void unlock() {
        BUSY.setRelease(this, 0);
    }

    /** Adds this cache's counts to the arrays (reads are racy for a live cache: statistics only). */
    void addCountsTo(long[] a, long[] f, long[] r, long[] fl) {
        for (int c = 0; c < a.length; c++) {
            a[c] += events[4 * c];
            f[c] += events[4 * c + 1];
            r[c] += events[4 * c + 2];
            fl[c] += events[4 * c + 3];
        }
    }
}
