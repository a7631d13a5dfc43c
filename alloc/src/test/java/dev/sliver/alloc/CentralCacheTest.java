package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The central cache alone: refills carve from a pool only when the class's stack is empty, a
 * flushed bundle is the next refill, an overflowing stack gives blocks back to the pools they came
 * from (each through its own lock), and decay drains only the stacks that did not move.
 */
class CentralCacheTest {
    private final PageMap pageMap = new PageMap();
    private final AllocatorCounters counters = new AllocatorCounters();
    private final CentralCache central = new CentralCache(pageMap);
    private final Pool pool = new Pool(pageMap, counters, "central-test");
    private final Pool otherPool = new Pool(pageMap, counters, "central-test");

    @AfterEach
    void unmap() {
        pool.unmapAll();
        otherPool.unmapAll();
    }

    /** The stack rows one class holds: about 8 MiB, between 2 and 256 bundles. */
    private static int rows(int cls) {
        return Math.clamp((8L << 20) / ((long) SizeClasses.bundleSize(cls) * SizeClasses.size(cls)), 2, 256);
    }

    @Test
    void aRefillOfAnEmptyClassCarvesABundleFromThePool() {
        int cls = SizeClasses.classOf(100);
        long[] bundle = new long[32];
        int n = central.refill(cls, bundle, pool);
        assertEquals(central.bundleSize(cls), n);
        for (int i = 0; i < n; i++) {
            assertSame(pool, pageMap.get(bundle[i]).chunk.pool);
        }
        assertEquals(0, central.cachedBytes());
    }

    @Test
    void aFlushedBundleIsTheNextRefillWithoutTouchingThePool() {
        int cls = SizeClasses.classOf(100);
        long[] bundle = new long[32];
        int n = central.refill(cls, bundle, pool);
        long spanFree = pool.spanFreeBytes();
        central.flush(cls, bundle, 0, n);
        assertEquals((long) n * SizeClasses.size(cls), central.cachedBytes());
        long[] again = new long[32];
        assertEquals(n, central.refill(cls, again, otherPool));
        assertArrayEquals(bundle, again, "the same bundle, whole, and not from the pool it was handed");
        assertEquals(spanFree, pool.spanFreeBytes());
        assertEquals(0, otherPool.spanFreeBytes(), "the other pool mapped nothing");
    }

    @Test
    void anOverflowGivesEachBlockBackToItsOwnPool() {
        int cls = SizeClasses.classOf(4096); // a span is one page: 16 blocks, one bundle
        int bundleSize = central.bundleSize(cls);
        long[] bundle = new long[bundleSize];
        for (int row = 0; row < rows(cls); row++) {
            pool.allocateBundle(cls, bundle, 0, bundleSize);
            central.flush(cls, bundle, 0, bundleSize);
        }
        long cached = central.cachedBytes();
        // Half a bundle from each pool, each half from a span that keeps one block out, so that
        // the span stays in use and its free bytes show what came back.
        long[] kept = new long[2];
        long[] mixed = new long[bundleSize];
        int half = bundleSize / 2;
        pool.allocateBundle(cls, kept, 0, 1);
        pool.allocateBundle(cls, mixed, 0, half);
        otherPool.allocateBundle(cls, kept, 1, 1);
        otherPool.allocateBundle(cls, mixed, half, bundleSize - half);
        long mine = pool.spanFreeBytes();
        long theirs = otherPool.spanFreeBytes();
        central.flush(cls, mixed, 0, bundleSize);
        assertEquals(cached, central.cachedBytes(), "the full stack took nothing");
        assertEquals(mine + (long) half * SizeClasses.size(cls), pool.spanFreeBytes());
        assertEquals(theirs + (long) (bundleSize - half) * SizeClasses.size(cls), otherPool.spanFreeBytes());
    }

    @Test
    void decayDrainsOnlyTheStacksThatDidNotMoveSinceTheLastTick() {
        int quiet = SizeClasses.classOf(100);
        int busy = SizeClasses.classOf(1000);
        long[] bundle = new long[32];
        pool.allocateBundle(quiet, new long[1], 0, 1); // kept out, so the span stays in use when the rest comes back
        central.flush(quiet, bundle, 0, central.refill(quiet, bundle, pool));
        central.flush(busy, bundle, 0, central.refill(busy, bundle, pool));
        long bothCached = central.cachedBytes();
        central.drainIdle(); // notes the moves so far
        assertEquals(bothCached, central.cachedBytes(), "a stack that moved since the last tick is kept");
        int n = central.refill(busy, bundle, pool);
        central.flush(busy, bundle, 0, n);
        long spanFree = pool.spanFreeBytes();
        central.drainIdle();
        long busyBytes = (long) n * SizeClasses.size(busy);
        assertEquals(busyBytes, central.cachedBytes(), "the quiet class was drained, the busy one kept");
        assertEquals(spanFree + bothCached - busyBytes, pool.spanFreeBytes(), "the drained blocks are back in their spans");
    }
}
