package dev.sliver.alloc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A per-thread stack of free blocks for every size class: the allocator's fast path.
 *
 * <p>Allocation pops, free pushes, both on one plain {@code long[]} of block addresses: no
 * atomics, no locks, and no object references, so a push or pop is a primitive load or store
 * with no GC write barrier (a reference store into this long-lived array cost about 4 ns on G1).
 * Class {@code c} owns the slots {@code [c * SLOTS, c * SLOTS + capacity(c))}. An empty stack is
 * refilled with one bundle from the central cache; a full one (twice the bundle size) flushes its
 * oldest bundle there; when the cache holds more than its byte budget (2 MiB by default, the
 * design note's cap) every class gives back half. A cache is used by one thread at a time: its
 * {@link #thread}, or whoever holds its {@link #tryLock} when it is a stripe shared by virtual
 * threads, or the reaper once its thread is dead.
 *
 * <p>Counters: frees are counted as they come, allocations are not: they are derived (every block
 * a cache holds came in by a refill or a free, and leaves by an allocation or a flush), see
 * {@link #addCountsTo}. The allocation path writes no counter at all.
 */
final class ThreadCache {
    private static final VarHandle BUSY;
    /** Slots per class: the largest capacity, 2 x the largest bundle (32). */
    private static final int SLOTS = 64;
    /** Counts per class in {@link #events}. */
    private static final int EVENTS = 4;
    /** Event: blocks that came in by a refill. */
    private static final int REFILLED_BLOCKS = 0;
    /** Event: blocks that came in by a free. */
    private static final int FREED_BLOCKS = 1;
    /** Event: refills (bundles taken from the central cache). */
    private static final int REFILLS = 2;
    /** Event: flushes (bundles given to the central cache). */
    private static final int FLUSHES = 3;

    static {
        try {
            BUSY = MethodHandles.lookup().findVarHandle(ThreadCache.class, "busy", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The platform thread this cache belongs to, or null for a stripe. */
    final Thread thread;
    private final Pool pool;
    private final CentralCache central;
    private final PageMap pageMap;
    private final long maxBytes;
    private final long[] blocks;
    private final int[] counts;
    private final int[] capacity;
    private long bytes;
    /** Per class {@code c}, {@link #EVENTS} counts at {@code EVENTS * c + k}, {@code k} one of the four below. */
    private final long[] events;
    /** Blocks flushed out, per class (for the derived allocation count). */
    private final long[] flushedBlocks;
    /** Scratch for moving bundles (a bundle is at most 32 blocks). */
    private final long[] scratch = new long[SLOTS];
    @SuppressWarnings("unused") // accessed through BUSY
    private volatile int busy;

    ThreadCache(Thread thread, Pool pool, CentralCache central, PageMap pageMap, long maxBytes) {
        this.thread = thread;
        this.pool = pool;
        this.central = central;
        this.pageMap = pageMap;
        this.maxBytes = maxBytes;
        int classes = SizeClasses.count();
        this.blocks = new long[classes * SLOTS];
        this.counts = new int[classes];
        this.capacity = new int[classes];
        for (int c = 0; c < classes; c++) {
            capacity[c] = Math.min(SLOTS, 2 * central.bundleSize(c));
        }
        this.events = new long[EVENTS * classes];
        this.flushedBlocks = new long[classes];
    }

    /** Hands out a block of class {@code cls} as a segment of {@code size} bytes; refills when empty. */
    MemorySegment allocate(int cls, long size) {
        return pageMap.handOut(allocateAddress(cls), size);
    }

    /** Takes the top block of class {@code cls} off its stack, which holds {@code n > 0}, and returns its address. */
    private long pop(int cls, int n) {
        counts[cls] = --n;
        bytes -= SizeClasses.size(cls);
        return blocks[cls * SLOTS + n];
    }

    /** Pushes a block of class {@code cls} onto a stack with room for it. */
    private void push(int cls, long address) {
        int n = counts[cls];
        blocks[cls * SLOTS + n] = address;
        counts[cls] = n + 1;
        events[EVENTS * cls + FREED_BLOCKS]++;
        bytes += SizeClasses.size(cls);
    }

    private int refill(int cls) {
        return depositRefill(cls, scratch, central.refill(cls, scratch, pool), 0);
    }

    /**
     * Takes back {@code segment} if it is a block of a span, validated by {@link Span#free} (which
     * throws on a double, stale or sliced free); returns false, having done nothing, if no span
     * holds its address (a large block or a foreign segment: the caller's slow path). Flushes when
     * the class is full or the cache is over its byte budget.
     */
    boolean free(MemorySegment segment) {
        long address = segment.address();
        Span span = segment.isNative() ? pageMap.get(address) : null;
        if (span == null) {
            return false;
        }
        span.free(segment);
        keepFreed(span.sizeClass, address);
        return true;
    }

    /**
     * Caches a block of class {@code cls} whose span already took it back (validated the free),
     * flushing when the class is full or the cache is over its byte budget.
     */
    void keepFreed(int cls, long address) {
        if (counts[cls] == capacity[cls]) {
            flushOldest(cls, central.bundleSize(cls));
        }
        push(cls, address);
        if (bytes > maxBytes) {
            scavenge();
        }
    }

    /**
     * Takes a block of class {@code cls} off the cache (refilling when empty) and returns its
     * address, for the caller to hand out through its span: the block door's fast path, which
     * makes no segment ({@link BlockDoor}).
     */
    long allocateAddress(int cls) {
        int n = counts[cls];
        if (n == 0) {
            n = refill(cls);
        }
        return pop(cls, n);
    }

    // ------------------------------------------------------------ stripe operations: never block
    // A stripe is shared by virtual threads through tryLock, and a thread that finds it busy goes
    // elsewhere instead of waiting. So that no holder can stall the others, these methods only
    // move array entries: refills and flushes, which may lock a pool, happen after unlock().

    /** Pops a cached block of class {@code cls}, or returns null if there is none. */
    MemorySegment allocateCached(int cls, long size) {
        int n = counts[cls];
        return n == 0 ? null : pageMap.handOut(pop(cls, n), size);
    }

    /** Whether one more block of class {@code cls} keeps the cache within its byte budget. */
    boolean fitsBudget(int cls) {
        return bytes + SizeClasses.size(cls) <= maxBytes;
    }

    /**
     * Caches a freed block that {@link #fitsBudget fits the budget}. If the class is full, its
     * oldest bundle is moved out first, into a new array returned for the caller to flush after
     * unlocking (at most once per bundle of frees; every other free allocates nothing).
     *
     * @return the blocks moved out to make room, or null if there was room
     */
    long[] cacheFreed(int cls, long address) {
        long[] spilled = null;
        if (counts[cls] == capacity[cls]) {
            spilled = new long[central.bundleSize(cls)];
            removeOldest(cls, spilled.length, spilled);
        }
        push(cls, address);
        return spilled;
    }

    /**
     * Caches a refill: one bundle from the central cache, of which the caller already handed out
     * {@code handedOut} blocks itself (a stripe's miss hands out one before it holds a stripe) and
     * left the other {@code n} at {@code src[0..n)}. Caches what fits, from the end; returns how
     * many were taken (the rest stay at {@code src[0..n - taken)}, for the caller to flush).
     */
    int depositRefill(int cls, long[] src, int n, int handedOut) {
        events[EVENTS * cls + REFILLED_BLOCKS] += handedOut;
        events[EVENTS * cls + REFILLS]++;
        return deposit(cls, src, n);
    }

    private int deposit(int cls, long[] src, int n) {
        int have = counts[cls];
        int take = Math.min(n, capacity[cls] - have);
        for (int i = 0; i < take; i++) {
            blocks[cls * SLOTS + have + i] = src[n - 1 - i];
        }
        counts[cls] = have + take;
        events[EVENTS * cls + REFILLED_BLOCKS] += take;
        bytes += (long) take * SizeClasses.size(cls);
        return take;
    }

    /** Moves the {@code n} oldest blocks of class {@code cls} to the central cache, bundle by bundle. */
    private void flushOldest(int cls, int n) {
        int bundle = central.bundleSize(cls);
        for (int done = 0; done < n; ) {
            int k = Math.min(bundle, n - done);
            removeOldest(cls, k, scratch);
            central.flush(cls, scratch, 0, k);
            events[EVENTS * cls + FLUSHES]++;
            done += k;
        }
    }

    /** Takes the {@code n} oldest blocks of class {@code cls} out of the cache, into {@code dst[0..n)}. */
    private void removeOldest(int cls, int n, long[] dst) {
        int base = cls * SLOTS;
        System.arraycopy(blocks, base, dst, 0, n);
        int left = counts[cls] - n;
        System.arraycopy(blocks, base + n, blocks, base, left);
        counts[cls] = left;
        flushedBlocks[cls] += n;
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

    /**
     * Adds this cache's counts to the arrays (reads are racy for a live cache: statistics only).
     * Blocks in = refilled + freed; blocks out = allocated + flushed; so allocations = in - flushed
     * - still cached, and frees are counted as they come.
     */
    void addCountsTo(long[] a, long[] f, long[] r, long[] fl) {
        for (int c = 0; c < a.length; c++) {
            int at = EVENTS * c;
            a[c] += events[at + REFILLED_BLOCKS] + events[at + FREED_BLOCKS] - flushedBlocks[c] - counts[c];
            f[c] += events[at + FREED_BLOCKS];
            r[c] += events[at + REFILLS];
            fl[c] += events[at + FLUSHES];
        }
    }

    /**
     * Adds the counts of every cache in {@code caches} to the per-class arrays (racy for live
     * caches: statistics only); returns the bytes they hold. The one loop behind the statistics
     * of thread caches and of stripes.
     */
    static long addCountsTo(Iterable<ThreadCache> caches, long[] allocations, long[] frees, long[] refills, long[] flushes) {
        long cached = 0;
        for (ThreadCache cache : caches) {
            cache.addCountsTo(allocations, frees, refills, flushes);
            cached += cache.cachedBytes();
        }
        return cached;
    }
}
