package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The stripes alone, driven from the test's thread (the stripes take the thread only for its id):
 * a miss hands out one block of a fresh bundle and keeps the rest, a hit takes from the stripe,
 * frees come back to it within its budget and go straight to the central cache beyond it, a full
 * class spills its oldest bundle, and the counts add up.
 */
class StripesTest {
    private static final int CLS = SizeClasses.classOf(100);
    private static final long SIZE = SizeClasses.size(CLS);

    private final PageMap pageMap = new PageMap();
    private final AllocatorCounters counters = new AllocatorCounters();
    private final CentralCache central = new CentralCache(pageMap);
    private final Pool[] pools = {new Pool(pageMap, counters, "stripes-test"), new Pool(pageMap, counters, "stripes-test")};
    private final int bundle = central.bundleSize(CLS);

    @AfterEach
    void unmap() {
        for (Pool pool : pools) {
            pool.unmapAll();
        }
    }

    private Stripes stripes(int count, long budget) {
        return new Stripes(count, pools, central, pageMap, counters, budget);
    }

    /** What the stripes counted, per class: allocations, frees, refills, flushes, and the bytes they hold. */
    private record Counts(long allocations, long frees, long refills, long flushes, long cached) {
    }

    private static Counts counts(Stripes stripes) {
        int classes = SizeClasses.count();
        long[] a = new long[classes];
        long[] f = new long[classes];
        long[] r = new long[classes];
        long[] fl = new long[classes];
        long cached = stripes.addCountsTo(a, f, r, fl);
        return new Counts(a[CLS], f[CLS], r[CLS], fl[CLS], cached);
    }

    /** As the allocator frees on a virtual thread: the span takes the block back, then the stripes. */
    private void free(Stripes stripes, MemorySegment block) {
        pageMap.get(block.address()).free(block);
        stripes.free(Thread.currentThread(), CLS, block.address());
    }

    @Test
    void theCountIsTheSettingRoundedUpToAPowerOfTwo() {
        int[][] cases = {{1, 1}, {2, 2}, {3, 4}, {4, 4}, {5, 8}, {8, 8}, {9, 16}};
        for (int[] c : cases) {
            assertEquals(c[1], stripes(c[0], 0).count(), "stripes(" + c[0] + ")");
        }
    }

    @Test
    void aMissHandsOutOneBlockOfABundleFromTheThreadsPoolAndKeepsTheRest() {
        Stripes stripes = stripes(1, 2L << 20);
        Thread thread = Thread.currentThread();
        MemorySegment first = stripes.allocate(CLS, 100, thread);
        assertEquals(100, first.byteSize());
        Span span = pageMap.get(first.address());
        assertEquals(CLS, span.sizeClass);
        assertSame(pools[(int) (thread.threadId() % pools.length)], span.chunk.pool, "the pool is picked by thread id");
        assertEquals(new Counts(1, 0, 1, 0, (bundle - 1) * SIZE), counts(stripes));
        assertEquals(0, central.cachedBytes(), "the rest of the bundle went to the stripe");

        MemorySegment second = stripes.allocate(CLS, 90, thread);
        assertEquals(90, second.byteSize());
        assertNotEquals(first.address(), second.address());
        assertEquals(new Counts(2, 0, 1, 0, (bundle - 2) * SIZE), counts(stripes), "a hit: no refill");

        free(stripes, second);
        assertEquals(new Counts(2, 1, 1, 0, (bundle - 1) * SIZE), counts(stripes));
        MemorySegment again = stripes.allocate(CLS, 100, thread);
        assertEquals(second.address(), again.address(), "the block just freed is the next one out");
        free(stripes, again);
        free(stripes, first);
        assertEquals(new Counts(3, 3, 1, 0, bundle * SIZE), counts(stripes));
    }

    @Test
    void aStripeKeepsWhatAThreadDrainsUntilTheBundleRunsOut() {
        Stripes stripes = stripes(1, 2L << 20);
        Thread thread = Thread.currentThread();
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < bundle + 1; i++) {
            blocks.add(stripes.allocate(CLS, SIZE, thread));
        }
        assertEquals(new Counts(bundle + 1, 0, 2, 0, (bundle - 1) * SIZE), counts(stripes), "the second bundle came at the miss");
        assertEquals(bundle + 1, blocks.stream().mapToLong(MemorySegment::address).distinct().count());
        blocks.forEach(b -> free(stripes, b));
        assertEquals((2L * bundle) * SIZE, counts(stripes).cached());
    }

    @Test
    void aFullClassSpillsItsOldestBundleToTheCentralCache() {
        Stripes stripes = stripes(1, 2L << 20);
        Thread thread = Thread.currentThread();
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < 3 * bundle; i++) {
            blocks.add(stripes.allocate(CLS, SIZE, thread));
        }
        long cachedBefore = counts(stripes).cached();
        assertEquals(0, cachedBefore, "three whole bundles, all handed out");
        for (int i = 0; i < 2 * bundle; i++) {
            free(stripes, blocks.get(i));
        }
        assertEquals(2L * bundle * SIZE, counts(stripes).cached(), "a class holds two bundles");
        assertEquals(0, central.cachedBytes());
        free(stripes, blocks.get(2 * bundle));
        assertEquals((bundle + 1) * SIZE, counts(stripes).cached(), "the oldest bundle left the stripe");
        assertEquals(bundle * SIZE, central.cachedBytes(), "for the central cache");
        long[] spilled = new long[bundle];
        assertEquals(bundle, central.refill(CLS, spilled, pools[0]));
        for (int i = 0; i < bundle; i++) {
            assertEquals(blocks.get(i).address(), spilled[i], "the first blocks freed are the ones spilled");
        }
    }

    @Test
    void beyondItsBudgetAFreeGoesStraightToTheCentralCache() {
        Stripes stripes = stripes(1, 0);
        Thread thread = Thread.currentThread();
        MemorySegment block = stripes.allocate(CLS, 100, thread);
        long kept = counts(stripes).cached();
        assertEquals((bundle - 1) * SIZE, kept, "a refill is kept whatever the budget");
        free(stripes, block);
        assertEquals(kept, counts(stripes).cached(), "the free did not fit a budget of 0");
        assertEquals(SIZE, central.cachedBytes());
        long[] frees = new long[SizeClasses.count()];
        counters.addCountsTo(new long[SizeClasses.count()], frees, new long[SizeClasses.count()], new long[SizeClasses.count()]);
        assertEquals(1, frees[CLS], "counted as a shared free");
        assertEquals(0, counts(stripes).frees());
    }

    @Test
    void aBudgetOfExactlyOneMoreBlockStillTakesTheFree() {
        long kept = (bundle - 1) * SIZE; // what the refill at the first allocation leaves in the stripe
        Stripes stripes = stripes(1, kept + SIZE);
        Thread thread = Thread.currentThread();
        MemorySegment block = stripes.allocate(CLS, 100, thread);
        assertEquals(kept, counts(stripes).cached());
        free(stripes, block);
        assertEquals(kept + SIZE, counts(stripes).cached(), "bytes + size <= budget: cached");
        assertEquals(0, central.cachedBytes());
    }

    @Test
    void aStripeAtItsBudgetSendsTheFreeOn() {
        long kept = (bundle - 1) * SIZE;
        Stripes stripes = stripes(1, kept);
        MemorySegment block = stripes.allocate(CLS, 100, Thread.currentThread());
        assertEquals(kept, counts(stripes).cached());
        free(stripes, block);
        assertEquals(kept, counts(stripes).cached(), "one more block would pass the budget");
        assertEquals(SIZE, central.cachedBytes());
    }

    /** Every stripe busy: a virtual thread's call goes to the central cache itself, and counts as shared. */
    @Test
    void withEveryStripeBusyTheCallGoesToTheCentralCache() throws Exception {
        Stripes stripes = stripes(2, 2L << 20);
        java.lang.reflect.Field field = Stripes.class.getDeclaredField("stripes");
        field.setAccessible(true);
        ThreadCache[] all = (ThreadCache[]) field.get(stripes);
        for (ThreadCache stripe : all) {
            assertTrue(stripe.tryLock());
        }
        Thread thread = Thread.currentThread();
        MemorySegment block = stripes.allocate(CLS, 100, thread);
        assertEquals(100, block.byteSize());
        assertEquals(0, counts(stripes).cached(), "no stripe took the rest of the bundle");
        assertEquals((bundle - 1) * SIZE, central.cachedBytes(), "the central cache did");
        free(stripes, block);
        assertEquals(bundle * SIZE, central.cachedBytes(), "the free too");
        long[] allocations = new long[SizeClasses.count()];
        long[] frees = new long[SizeClasses.count()];
        counters.addCountsTo(allocations, frees, new long[SizeClasses.count()], new long[SizeClasses.count()]);
        assertEquals(1, allocations[CLS], "a shared allocation");
        assertEquals(1, frees[CLS], "a shared free");
        all[1].unlock();
        MemorySegment next = stripes.allocate(CLS, 100, thread); // the last bundle in: the one block freed
        assertEquals(block.address(), next.address());
        assertEquals((bundle - 1) * SIZE, central.cachedBytes());
        free(stripes, next);
        assertEquals(SIZE, counts(stripes).cached(), "the one free stripe took the free");
        assertEquals((bundle - 1) * SIZE, central.cachedBytes());
        all[0].unlock();
    }
}
