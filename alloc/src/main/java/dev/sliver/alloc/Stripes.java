package dev.sliver.alloc;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The caches that virtual threads share. Virtual threads get no cache of their own (there may be
 * millions of them, and a cache may hold 2 MiB); instead a power-of-two number of ownerless
 * {@link ThreadCache}s, the stripes, are taken with a CAS ({@link ThreadCache#tryLock}), trying
 * each in turn from one picked by the thread's id.
 *
 * <p><b>Never waiting.</b> As in Okio's {@code SegmentPool}, a stripe is never waited for: a busy
 * stripe is skipped, and when every stripe is busy the call goes to the central cache itself. A
 * holder keeps a stripe only while it moves array entries; whatever may lock a pool (a refill, a
 * flush) runs after it let go. So a virtual thread that parks (on a pool lock, say) never holds
 * anything another one spins on, even on a single carrier thread (the surefire execution
 * {@code one-carrier} runs the churn test so).
 *
 * <p><b>Ordering: how the lock hands the arrays to the next holder.</b> A stripe's arrays and
 * counters are plain fields. {@code tryLock} is a CAS of {@code busy} from 0 to 1, with volatile
 * (so at least acquire) semantics; {@code unlock} is a release store of 0. Everything a holder did
 * to the arrays precedes its release store in program order; the next holder's CAS succeeds only
 * by reading a 0, and every 0 after the first is such a release store; and a release store read
 * by an acquiring access orders everything before the store before everything after that access
 * (the release/acquire rule of {@link java.lang.invoke.VarHandle} access modes). So each holder
 * sees all the writes of every earlier holder. Holds never overlap, because each released 0 admits
 * one CAS, so no holder sees a write of a later one either. The {@code getVolatile} test before
 * the CAS only spares a doomed CAS its cache-line traffic; the CAS alone decides. The stripes'
 * initial contents, written in the allocator's constructor, are published by the final field that
 * holds them. Statistics read the arrays without the lock, racily, as statistics only.
 */
final class Stripes {
    private final ThreadCache[] stripes;
    private final Pool[] pools;
    private final CentralCache central;
    private final PageMap pageMap;
    private final AllocatorCounters counters;

    Stripes(int count, Pool[] pools, CentralCache central, PageMap pageMap, AllocatorCounters counters, long threadCacheBytes) {
        this.pools = pools;
        this.central = central;
        this.pageMap = pageMap;
        this.counters = counters;
        this.stripes = new ThreadCache[count <= 1 ? 1 : Integer.highestOneBit(count - 1) << 1]; // a power of two: a mask picks one
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ThreadCache(null, pools[i % pools.length], central, pageMap, threadCacheBytes);
        }
    }

    /** @return how many stripes there are: the setting rounded up to a power of two */
    int count() {
        return stripes.length;
    }

    /**
     * A virtual thread's allocation. Stripes are never waited for: a busy stripe is skipped, a
     * stripe is held only to move array entries, and a miss refills after letting go of it. So a
     * virtual thread that parks (on a pool lock, say) never holds anything another one spins on.
     */
    MemorySegment allocate(int cls, long size, Thread thread) {
        ThreadCache stripe = tryLock(thread);
        if (stripe != null) {
            try {
                MemorySegment block = stripe.allocateCached(cls, size);
                if (block != null) {
                    return block;
                }
            } finally {
                stripe.unlock();
            }
        }
        // A miss: refill with no stripe held (the refill may lock a pool), hand out one block of
        // the bundle, and cache the rest in whichever stripe is free now, if any.
        long[] bundle = new long[central.bundleSize(cls)];
        int n = central.refill(cls, bundle, pools[(int) (thread.threadId() % pools.length)]);
        MemorySegment block = pageMap.handOut(bundle[n - 1], size);
        int left = n - 1;
        stripe = tryLock(thread);
        if (stripe != null) {
            try {
                left -= stripe.depositRefill(cls, bundle, left, 1);
            } finally {
                stripe.unlock();
            }
        } else {
            counters.sharedAllocation(cls);
        }
        if (left > 0) {
            central.flush(cls, bundle, 0, left);
        }
        return block;
    }

    /** A virtual thread's free of a block its span already took back: into a stripe if one is free and has room, else straight back. */
    void free(Thread thread, int cls, long address) {
        ThreadCache stripe = tryLock(thread);
        if (stripe != null) {
            boolean cached = false;
            long[] spilled = null;
            try {
                if (stripe.fitsBudget(cls)) {
                    spilled = stripe.cacheFreed(cls, address);
                    cached = true;
                }
            } finally {
                stripe.unlock();
            }
            if (spilled != null) {
                central.flush(cls, spilled, 0, spilled.length); // after unlock: it may lock a pool
            }
            if (cached) {
                return;
            }
        }
        counters.sharedFree(cls);
        central.flush(cls, new long[] {address}, 0, 1);
    }

    /**
     * One pass over the stripes, starting at the thread's own; null if all are busy. Never waits:
     * a holder may be a virtual thread that is not running.
     */
    private ThreadCache tryLock(Thread thread) {
        int mask = stripes.length - 1;
        int start = (int) thread.threadId();
        for (int i = 0; i <= mask; i++) {
            ThreadCache stripe = stripes[(start + i) & mask];
            if (stripe.tryLock()) {
                return stripe;
            }
        }
        return null;
    }

    /** Adds the stripes' counts to the per-class arrays (racy: statistics only); returns the bytes they hold. */
    long addCountsTo(long[] allocations, long[] frees, long[] refills, long[] flushes) {
        return ThreadCache.addCountsTo(Arrays.asList(stripes), allocations, frees, refills, flushes);
    }
}
