package dev.sliver.alloc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A per-thread stack of free blocks for every size class: the allocator's fast path.
 *
 * <p>Allocation pops, free pushes, both on plain arrays: no atomics, no locks. An empty stack is
 * refilled with one batch from the central cache; a full one (twice the batch size) flushes its
 * oldest batch there; when the cache holds more than its byte budget (2 MiB by default, the
 * design note's cap) every class gives back half. A cache is used by one thread at a time: its
 * owner, or whoever holds its {@link #tryLock} when it is a stripe shared by virtual threads, or
 * the reaper once the owner is dead.
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
    private final long maxBytes;
    private final long[][] stacks;
    private final int[] counts;
    private long bytes;
    private final long[] allocations;
    private final long[] frees;
    private final long[] refills;
    private final long[] flushes;
    @SuppressWarnings("unused") // accessed through BUSY
    private volatile int busy;

    ThreadCache(Thread owner, Pool pool, CentralCache central, long maxBytes) {
        this.owner = owner;
        this.pool = pool;
        this.central = central;
        this.maxBytes = maxBytes;
        int classes = SizeClasses.count();
        this.stacks = new long[classes][];
        this.counts = new int[classes];
        this.allocations = new long[classes];
        this.frees = new long[classes];
        this.refills = new long[classes];
        this.flushes = new long[classes];
    }

    /** Pops a free block of class {@code cls}, refilling from the central cache when empty. */
    long allocate(int cls) {
        allocations[cls]++;
        int n = counts[cls];
        if (n == 0) {
            n = refill(cls);
        }
        counts[cls] = --n;
        bytes -= SizeClasses.size(cls);
        return stacks[cls][n];
    }

    private int refill(int cls) {
        long[] stack = stack(cls);
        refills[cls]++;
        int n = central.refill(cls, stack, pool);
        bytes += (long) n * SizeClasses.size(cls);
        return n;
    }

    /** Pushes a freed block; flushes to the central cache when over the class or byte cap. */
    void free(int cls, long address) {
        frees[cls]++;
        long[] stack = stack(cls);
        int n = counts[cls];
        if (n == stack.length) {
            flushOldest(cls, central.batchSize(cls));
            n = counts[cls];
        }
        stack[n] = address;
        counts[cls] = n + 1;
        bytes += SizeClasses.size(cls);
        if (bytes > maxBytes) {
            scavenge();
        }
    }

    private long[] stack(int cls) {
        long[] stack = stacks[cls];
        if (stack == null) {
            stack = stacks[cls] = new long[2 * central.batchSize(cls)];
        }
        return stack;
    }

    /** Moves the {@code n} oldest blocks of class {@code cls} to the central cache, batch by batch. */
    private void flushOldest(int cls, int n) {
        long[] stack = stacks[cls];
        int batch = central.batchSize(cls);
        for (int done = 0; done < n; ) {
            int k = Math.min(batch, n - done);
            central.flush(cls, stack, done, k);
            flushes[cls]++;
            done += k;
        }
        System.arraycopy(stack, n, stack, 0, counts[cls] - n);
        counts[cls] -= n;
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
            a[c] += allocations[c];
            f[c] += frees[c];
            r[c] += refills[c];
            fl[c] += flushes[c];
        }
    }
}
