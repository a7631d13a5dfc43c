package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One thread cache alone: refills of one bundle, LIFO reuse, the two-bundle cap of a class, the
 * byte budget, flushing everything, the stripe operations and the derived counts.
 */
class ThreadCacheTest {
    /** 4 KiB blocks: 16 to a bundle, 32 to a full class. */
    private static final int CLS = SizeClasses.classOf(4096);
    private static final long SIZE = 4096;

    private final PageMap pageMap = new PageMap();
    private final AllocatorCounters counters = new AllocatorCounters();
    private final CentralCache central = new CentralCache(pageMap);
    private final Pool pool = new Pool(pageMap, counters, "cache-test");
    private final int bundle = central.bundleSize(CLS);

    @AfterEach
    void unmap() {
        pool.unmapAll();
    }

    private ThreadCache cache(long budget) {
        return new ThreadCache(Thread.currentThread(), pool, central, pageMap, budget);
    }

    /** The cache's counts for {@link #CLS}: allocations, frees, refills, flushes. */
    private static long[] counts(ThreadCache cache) {
        int classes = SizeClasses.count();
        long[] a = new long[classes];
        long[] f = new long[classes];
        long[] r = new long[classes];
        long[] fl = new long[classes];
        cache.addCountsTo(a, f, r, fl);
        return new long[] {a[CLS], f[CLS], r[CLS], fl[CLS]};
    }

    private static List<MemorySegment> allocate(ThreadCache cache, int n) {
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            blocks.add(cache.allocate(CLS, SIZE));
        }
        return blocks;
    }

    @Test
    void aMissRefillsOneBundleAndAFreedBlockIsTheNextOut() {
        assertEquals(16, bundle, "the arithmetic below assumes 16 blocks to a bundle");
        ThreadCache cache = cache(2L << 20);
        MemorySegment a = cache.allocate(CLS, 4000);
        assertEquals(4000, a.byteSize());
        assertEquals((bundle - 1) * SIZE, cache.cachedBytes());
        assertArrayEquals(new long[] {1, 0, 1, 0}, counts(cache));
        MemorySegment b = cache.allocate(CLS, SIZE);
        assertEquals(a.address() + SIZE, b.address(), "a fresh bundle hands out ascending addresses");
        assertTrue(cache.free(a));
        assertEquals((bundle - 1) * SIZE, cache.cachedBytes());
        MemorySegment c = cache.allocate(CLS, SIZE);
        assertEquals(a.address(), c.address(), "LIFO");
        assertArrayEquals(new long[] {3, 1, 1, 0}, counts(cache));
        List<MemorySegment> rest = allocate(cache, bundle - 2);
        assertEquals(0, cache.cachedBytes(), "the bundle is used up");
        cache.allocate(CLS, SIZE);
        assertArrayEquals(new long[] {bundle + 2, 1, 2, 0}, counts(cache), "a second refill at the next miss");
        assertEquals(bundle - 2, rest.stream().mapToLong(MemorySegment::address).distinct().count());
    }

    @Test
    void onlyBlocksOfSpansAreTakenBack() {
        ThreadCache cache = cache(2L << 20);
        assertFalse(cache.free(MemorySegment.ofArray(new byte[16])), "a heap segment");
        try (Arena arena = Arena.ofConfined()) {
            assertFalse(cache.free(arena.allocate(64)), "native memory no span holds");
        }
        assertEquals(0, cache.cachedBytes());
        assertArrayEquals(new long[] {0, 0, 0, 0}, counts(cache));
        MemorySegment block = cache.allocate(CLS, SIZE);
        assertTrue(cache.free(block));
        assertThrows(IllegalStateException.class, () -> cache.free(block), "a double free, caught by the span");
        assertEquals(bundle * SIZE, cache.cachedBytes(), "the rejected free pushed nothing");
    }

    @Test
    void aFullClassFlushesItsOldestBundle() {
        ThreadCache cache = cache(2L << 20);
        List<MemorySegment> blocks = allocate(cache, 3 * bundle);
        for (int i = 0; i < 2 * bundle; i++) {
            assertTrue(cache.free(blocks.get(i)));
        }
        assertEquals(2 * bundle * SIZE, cache.cachedBytes(), "a class holds two bundles");
        assertEquals(0, central.cachedBytes());
        cache.free(blocks.get(2 * bundle));
        assertEquals((bundle + 1) * SIZE, cache.cachedBytes());
        assertEquals(bundle * SIZE, central.cachedBytes());
        assertArrayEquals(new long[] {3 * bundle, 2 * bundle + 1, 3, 1}, counts(cache));
        long[] flushed = new long[bundle];
        assertEquals(bundle, central.refill(CLS, flushed, pool));
        for (int i = 0; i < bundle; i++) {
            assertEquals(blocks.get(i).address(), flushed[i], "the oldest blocks, in the order they came");
        }
        MemorySegment next = cache.allocate(CLS, SIZE);
        assertEquals(blocks.get(2 * bundle).address(), next.address(), "the newest stayed");
    }

    @Test
    void overItsBudgetEveryClassGivesBackHalf() {
        ThreadCache cache = cache(10 * SIZE);
        List<MemorySegment> blocks = allocate(cache, bundle);
        int small = SizeClasses.classOf(100);
        List<MemorySegment> smalls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            smalls.add(cache.allocate(small, 100));
        }
        long smallBundle = central.bundleSize(small);
        long smallCached = (smallBundle - 3) * 112;
        for (int i = 0; i < 9; i++) {
            cache.free(blocks.get(i));
        }
        // 9 x 4 KiB plus the small class: within 10 x 4 KiB only while the small class is light.
        assertTrue(smallCached < SIZE, "the small class must not push the cache over the budget: " + smallCached);
        assertEquals(9 * SIZE + smallCached, cache.cachedBytes());
        assertEquals(0, central.cachedBytes());
        cache.free(blocks.get(9)); // 10 x 4 KiB + the small class: over the budget
        long keptBig = 10 - (10 + 1) / 2;
        long keptSmall = (smallBundle - 3) - (smallBundle - 3 + 1) / 2;
        assertEquals(keptBig * SIZE + keptSmall * 112, cache.cachedBytes(), "each class gave back half, rounded up");
        assertEquals(5 * SIZE + (smallBundle - 3 - keptSmall) * 112, central.cachedBytes());
        assertEquals(1, counts(cache)[3], "one flush of 4 KiB blocks");
    }

    @Test
    void exactlyTheBudgetIsNotOverIt() {
        ThreadCache cache = cache(10 * SIZE);
        List<MemorySegment> blocks = allocate(cache, bundle);
        for (int i = 0; i < 10; i++) {
            cache.free(blocks.get(i));
        }
        assertEquals(10 * SIZE, cache.cachedBytes());
        assertEquals(0, central.cachedBytes(), "at the budget nothing leaves");
    }

    @Test
    void flushAllReturnsEveryBlockToTheCentralCache() {
        ThreadCache cache = cache(2L << 20);
        List<MemorySegment> blocks = allocate(cache, 3);
        cache.free(blocks.get(0));
        int small = SizeClasses.classOf(100);
        cache.free(cache.allocate(small, 100));
        long held = cache.cachedBytes();
        assertEquals((bundle - 2) * SIZE + central.bundleSize(small) * 112L, held);
        cache.flushAll();
        assertEquals(0, cache.cachedBytes());
        assertEquals(held, central.cachedBytes());
        assertArrayEquals(new long[] {3, 1, 1, 1}, counts(cache), "fewer than a bundle of 4 KiB blocks: one flush");
        long spanFree = pool.spanFreeBytes();
        cache.allocate(CLS, SIZE);
        assertEquals(held - (bundle - 2) * SIZE, central.cachedBytes(), "the next refill takes the flushed 4 KiB blocks back");
        assertEquals(spanFree, pool.spanFreeBytes(), "and carves nothing from the pool");
    }

    @Test
    void stripeOperationsMoveEntriesOnly() {
        ThreadCache stripe = new ThreadCache(null, pool, central, pageMap, 2L << 20);
        assertNull(stripe.allocateCached(CLS, SIZE), "an empty class gives nothing, and does not refill");
        assertEquals(0, central.cachedBytes());
        long[] refill = new long[bundle];
        int n = central.refill(CLS, refill, pool);
        MemorySegment handed = pageMap.handOut(refill[n - 1], SIZE);
        assertEquals(n - 1, stripe.depositRefill(CLS, refill, n - 1, 1));
        assertEquals((n - 1) * SIZE, stripe.cachedBytes());
        assertArrayEquals(new long[] {1, 0, 1, 0}, counts(stripe));
        MemorySegment cached = stripe.allocateCached(CLS, SIZE);
        assertEquals(refill[0], cached.address(), "the deposit keeps the bundle's order: the last out of it is the first in");
        assertTrue(stripe.fitsBudget(CLS));
        pageMap.get(handed.address()).free(handed);
        assertNull(stripe.cacheFreed(CLS, handed.address()), "room: nothing spilled");
        assertArrayEquals(new long[] {2, 1, 1, 0}, counts(stripe));
        assertTrue(stripe.tryLock());
        assertFalse(stripe.tryLock(), "held");
        stripe.unlock();
        assertTrue(stripe.tryLock(), "free again");
        stripe.unlock();
    }

    @Test
    void aDepositTakesOnlyWhatFitsAndLeavesTheRestAtTheFront() {
        ThreadCache stripe = new ThreadCache(null, pool, central, pageMap, 2L << 20);
        long[] first = new long[bundle];
        long[] second = new long[bundle];
        pool.allocateBundle(CLS, first, 0, bundle);
        pool.allocateBundle(CLS, second, 0, bundle);
        assertEquals(bundle, stripe.depositRefill(CLS, first, bundle, 0));
        assertEquals(bundle - 3, stripe.depositRefill(CLS, second, bundle - 3, 0), "room for a whole bundle more");
        long[] third = new long[bundle];
        pool.allocateBundle(CLS, third, 0, bundle);
        assertEquals(3, stripe.depositRefill(CLS, third, bundle, 0), "the class holds two bundles: three more fit");
        assertEquals(2 * bundle * SIZE, stripe.cachedBytes());
        MemorySegment top = stripe.allocateCached(CLS, SIZE);
        assertEquals(third[bundle - 3], top.address(), "taken from the end of the source");
    }

    @Test
    void flushAllMovesMoreThanABundleOneBundleAtATime() {
        ThreadCache cache = cache(2L << 20);
        List<MemorySegment> blocks = allocate(cache, 2 * bundle);
        for (int i = 0; i < 2 * bundle - 1; i++) {
            cache.free(blocks.get(i));
        }
        cache.flushAll();
        assertEquals(0, cache.cachedBytes());
        assertEquals((2 * bundle - 1) * SIZE, central.cachedBytes());
        assertEquals(2, counts(cache)[3], "a bundle and the rest");
        long[] bundleOut = new long[bundle];
        assertEquals(bundle - 1, central.refill(CLS, bundleOut, pool), "the rest came last");
        assertEquals(bundle, central.refill(CLS, bundleOut, pool));
    }
}
