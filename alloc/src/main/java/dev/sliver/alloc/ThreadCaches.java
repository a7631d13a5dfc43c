package dev.sliver.alloc;

import java.util.Iterator;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finding a platform thread's cache, and taking back the caches of threads that died.
 *
 * <p><b>Finding.</b> The fast paths look first in {@link #byThreadId}, a table indexed by thread id
 * (the argument for reading it without synchronization is beside the fast path,
 * {@link ThreadCachingAllocator#allocate(long, long)}). When it misses, {@link #current} asks the
 * thread's {@link ThreadState}, a {@code ThreadLocal} that holds the thread's caches for every
 * allocator, and makes a cache on the first call. The cache then takes the table slot unless a
 * live thread holds it: two live threads whose ids collide fall back to the ThreadLocal for the
 * second one.
 *
 * <p><b>Reaping.</b> Every cache is registered, so that when its thread dies its blocks go back
 * to the central cache instead of being stranded. {@link #reapDeadThreads} runs on the decay
 * thread's tick and whenever as many caches were made as were alive at the last reap.
 *
 * <p>Nothing a thread holds refers to the allocator: a thread state keeps caches, keyed weakly by
 * {@link #key}, and a cache refers only to its pool, the central cache and the page map. So an
 * allocator that is dropped without {@code close()} can be collected while its threads live on.
 */
final class ThreadCaches {
    /** Slots of the table by thread id, a power of two. */
    static final int TABLE_SLOTS = 1024;
    /** Each thread's caches, for every allocator: the fallback when the table by thread id misses. */
    private static final ThreadLocal<ThreadState> THREAD_STATE = ThreadLocal.withInitial(ThreadState::new);

    /**
     * The table by thread id, read without synchronization by the fast paths (which hold the
     * same array in a field of their own) and written here: by a thread for itself, and by the
     * reaper to clear a dead thread's slot.
     */
    final ThreadCache[] byThreadId = new ThreadCache[TABLE_SLOTS];
    /** This allocator's key in threads' ThreadStates: a bare object, so holding it keeps nothing else alive. */
    private final Object key = new Object();
    private final ConcurrentLinkedQueue<ThreadCache> registry = new ConcurrentLinkedQueue<>();
    private final AtomicInteger registered = new AtomicInteger();
    private final AtomicInteger registeredSinceReap = new AtomicInteger();
    private final Object reapLock = new Object();
    private final AtomicInteger nextPool = new AtomicInteger();
    private final Pool[] pools;
    private final CentralCache central;
    private final PageMap pageMap;
    private final AllocatorCounters counters;
    private final long threadCacheBytes;
    private final String allocatorName;
    /** Set once, under the reap lock, when the allocator closes: no cache is made after that. */
    private volatile boolean closed;

    ThreadCaches(Pool[] pools, CentralCache central, PageMap pageMap, AllocatorCounters counters, long threadCacheBytes,
                 String allocatorName) {
        this.pools = pools;
        this.central = central;
        this.pageMap = pageMap;
        this.counters = counters;
        this.threadCacheBytes = threadCacheBytes;
        this.allocatorName = allocatorName;
    }

    /** The calling platform thread's cache, made on its first call. */
    ThreadCache current() {
        Thread thread = Thread.currentThread();
        ThreadCache cache = byThreadId[(int) thread.threadId() & (TABLE_SLOTS - 1)];
        return cache != null && cache.thread == thread ? cache : cacheSlow(thread);
    }

    private ThreadCache cacheSlow(Thread thread) {
        ThreadState state = THREAD_STATE.get();
        ThreadCache cache = state.key == key ? state.cache : state.switchTo(this);
        int slot = (int) thread.threadId() & (TABLE_SLOTS - 1);
        ThreadCache occupant = byThreadId[slot];
        if (occupant == null || !occupant.thread.isAlive()) {
            byThreadId[slot] = cache;
        }
        return cache;
    }

    /** A thread's caches: the one used last inline, the others weakly by allocator. */
    private static final class ThreadState {
        /** The key of {@link #cache}: whose cache it is. */
        Object key;
        ThreadCache cache;
        WeakHashMap<Object, ThreadCache> others;

        ThreadCache switchTo(ThreadCaches caches) {
            if (others == null) {
                others = new WeakHashMap<>();
            }
            if (key != null) {
                others.put(key, cache);
            }
            ThreadCache next = others.remove(caches.key);
            if (next == null) {
                next = caches.newCache();
            }
            key = caches.key;
            cache = next;
            return next;
        }
    }

    private ThreadCache newCache() {
        if (closed) {
            throw ThreadCachingAllocator.closedError(allocatorName);
        }
        Pool pool = pools[Math.floorMod(nextPool.getAndIncrement(), pools.length)];
        ThreadCache cache = new ThreadCache(Thread.currentThread(), pool, central, pageMap, threadCacheBytes);
        registry.add(cache);
        int live = registered.incrementAndGet();
        // Reap when as many caches were created as were alive at the last reap: amortized O(1).
        if (registeredSinceReap.incrementAndGet() >= Math.max(16, live / 2)) {
            reapDeadThreads();
        }
        return cache;
    }

    /**
     * Returns the caches of dead threads to the central cache.
     *
     * <p><b>Ordering: why the reaper may read a dead thread's plain arrays.</b> A cache's arrays
     * and counters are plain fields, written by its thread alone and never published. The reaper
     * reads them (and flushes them) only after {@code thread.isAlive()} returned false, and JLS
     * 17.4.4 says: the final action of a thread T1 synchronizes-with any action of a thread T2
     * that detects that T1 has terminated, by {@code T1.isAlive()} returning false or
     * {@code T1.join()} returning. Every write the thread made to its cache precedes its final
     * action in program order, so each happens-before the reaper's {@code isAlive()} and hence
     * before the reaper's reads, which follow it in the reaper's program order. Nobody else
     * writes the cache afterwards: the fast paths and {@link LocalHandle} use a cache only on the
     * thread it belongs to, which can no longer run; and the reap lock plus the removal from
     * the registry make the flush happen once. (Statistics read live caches racily, as
     * statistics only.)
     */
    void reapDeadThreads() {
        synchronized (reapLock) {
            registeredSinceReap.set(0);
            for (Iterator<ThreadCache> it = registry.iterator(); it.hasNext(); ) {
                ThreadCache cache = it.next();
                if (!cache.thread.isAlive()) {
                    it.remove();
                    int slot = (int) cache.thread.threadId() & (TABLE_SLOTS - 1);
                    if (byThreadId[slot] == cache) {
                        byThreadId[slot] = null;
                    }
                    registered.decrementAndGet();
                    cache.flushAll();
                    counters.retire(cache);
                }
            }
        }
    }

    /**
     * Stops making caches, once a reap in progress has finished; returns false if that was done
     * before (the allocator's close() is idempotent through this).
     */
    boolean close() {
        synchronized (reapLock) {
            if (closed) {
                return false;
            }
            closed = true;
            return true;
        }
    }

    /** Caches alive: platform threads seen and not yet reaped. */
    int live() {
        return registered.get();
    }

    /** Adds the live caches' counts to the per-class arrays (racy: statistics only); returns the bytes they hold. */
    long addCountsTo(long[] allocations, long[] frees, long[] refills, long[] flushes) {
        return ThreadCache.addCountsTo(registry, allocations, frees, refills, flushes);
    }
}
