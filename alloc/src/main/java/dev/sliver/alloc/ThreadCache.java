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
    /** Scratch for moving batches as addresses (a batch is at most 64 blocks). */
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

    /** Hands out a block of class {@code cls} as a segment of {@code size} bytes; refills when empty. */
    MemorySegment allocate(int cls, long size) {
        events[4 * cls]++;
        int n = counts[cls];
        if (n == 0) {
            events[4 * cls + 2]++;
            n = deposit(cls, addresses, central.refill(cls, addresses, pool));
        }
        return pop(cls, n, size);
    }

    private MemorySegment pop(int cls, int n, long size) {
        counts[cls] = --n;
        bytes -= SizeClasses.size(cls);
        return spans[cls][n].allocate(indices[cls][n], size);
    }

    /** Pushes a freed block; flushes to the central cache when over the class or byte cap. */
    void free(Span span, int index) {
        int cls = span.sizeClass;
        events[4 * cls + 1]++;
        ensureStacks(cls);
        if (counts[cls] == spans[cls].length) {
            flushOldest(cls, central.batchSize(cls));
        }
        push(span, index);
        if (bytes > maxBytes) {
            scavenge();
        }
    }

    private void push(Span span, int index) {
        int cls = span.sizeClass;
        int n = counts[cls];
        spans[cls][n] = span;
        indices[cls][n] = index;
        counts[cls] = n + 1;
        bytes += SizeClasses.size(cls);
    }

    // ------------------------------------------------------------ stripe operations: never block
    // A stripe is shared by virtual threads through tryLock, and a thread that finds it busy goes
    // elsewhere instead of waiting. So that no holder can stall the others, these methods only
    // move array entries: refills and flushes, which may lock a pool, happen after unlock().

    /** Pops a cached block of class {@code cls}, or returns null if there is none. */
    MemorySegment allocateCached(int cls, long size) {
        int n = counts[cls];
        if (n == 0) {
            return null;
        }
        events[4 * cls]++;
        return pop(cls, n, size);
    }

    /** Counts an allocation served from a batch the caller refilled itself (see {@link #deposit}). */
    void countRefill(int cls) {
        events[4 * cls]++;
        events[4 * cls + 2]++;
    }

    /** {@link #freeCached} took the block and spilled nothing. */
    static final long[] NO_SPILL = new long[0];

    /**
     * Caches the freed block. If the class is full, its oldest batch is moved out first, into a
     * new array returned for the caller to flush after unlocking (at most once per batch of frees;
     * every other free allocates nothing).
     *
     * @return {@link #NO_SPILL}, the spilled addresses, or null if the block was not taken
     *         because the cache is over its byte budget
     */
    long[] freeCached(Span span, int index) {
        int cls = span.sizeClass;
        if (bytes + SizeClasses.size(cls) > maxBytes) {
            return null;
        }
        events[4 * cls + 1]++;
        ensureStacks(cls);
        long[] spill = NO_SPILL;
        if (counts[cls] == spans[cls].length) {
            spill = new long[central.batchSize(cls)];
            removeOldest(cls, spill.length, spill);
        }
        push(span, index);
        return spill;
    }

    /**
     * Caches up to the class's room of the {@code n} blocks at {@code src[0..n)}, from the end;
     * returns how many were taken (the rest stay at {@code src[0..n - taken)}).
     */
    int deposit(int cls, long[] src, int n) {
        ensureStacks(cls);
        Span[] s = spans[cls];
        int[] idx = indices[cls];
        int have = counts[cls];
        int take = Math.min(n, s.length - have);
        for (int i = 0; i < take; i++) {
            long address = src[n - 1 - i];
            Span span = pageMap.get(address);
            s[have + i] = span;
            idx[have + i] = span.indexOf(address);
        }
        counts[cls] = have + take;
        bytes += (long) take * SizeClasses.size(cls);
        return take;
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
        int batch = central.batchSize(cls);
        for (int done = 0; done < n; ) {
            int k = Math.min(batch, n - done);
            removeOldest(cls, k, addresses);
            central.flush(cls, addresses, 0, k);
            events[4 * cls + 3]++;
            done += k;
        }
    }

    /** Takes the {@code n} oldest blocks of class {@code cls} out of the cache, as addresses into {@code dst}. */
    private void removeOldest(int cls, int n, long[] dst) {
        Span[] s = spans[cls];
        int[] idx = indices[cls];
        for (int i = 0; i < n; i++) {
            dst[i] = s[i].address(idx[i]);
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
