package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A pool alone: carving bundles of fresh blocks, taking blocks back under its own lock (and only
 * its own blocks), listing spans again, releasing pages and chunks, and refusing to map after close.
 */
class PoolTest {
    private static final long HOUR = 3_600_000_000_000L;

    private final PageMap pageMap = new PageMap();
    private final AllocatorCounters counters = new AllocatorCounters();
    private final Pool pool = new Pool(pageMap, counters, "pool-test");
    private final Pool otherPool = new Pool(pageMap, counters, "pool-test");

    @AfterEach
    void unmap() {
        pool.unmapAll();
        otherPool.unmapAll();
    }

    @Test
    void aBundleIsDistinctFreshBlocksOfItsClassFoundThroughThePageMap() {
        int cls = SizeClasses.classOf(100);
        long[] blocks = new long[40];
        assertEquals(32, pool.allocateBundle(cls, blocks, 8, 32));
        Set<Long> seen = new HashSet<>();
        for (int i = 8; i < 40; i++) {
            assertTrue(seen.add(blocks[i]), "block handed out twice");
            Span span = pageMap.get(blocks[i]);
            assertNotNull(span);
            assertSame(pool, span.chunk.pool);
            assertEquals(cls, span.sizeClass);
            assertTrue(span.indexOf(blocks[i]) >= 0, "the address starts a block");
        }
        assertEquals(Chunk.BYTES, counters.mappedBytes());
    }

    @Test
    void aFullSpanIsListedAgainWhenABlockComesBack() {
        int cls = SizeClasses.classOf(20_000);
        int capacity = (int) ((long) SizeClasses.spanPages(cls) * SizeClasses.PAGE_SIZE / SizeClasses.size(cls));
        long[] blocks = new long[capacity];
        assertEquals(capacity, pool.allocateBundle(cls, blocks, 0, capacity));
        assertEquals(0, pool.spanFreeBytes(), "one span, all of it handed out");
        assertEquals(capacity, pool.giveBack(blocks, capacity - 1, capacity));
        assertEquals(SizeClasses.size(cls), pool.spanFreeBytes());
        long[] again = new long[1];
        pool.allocateBundle(cls, again, 0, 1);
        assertEquals(blocks[capacity - 1], again[0], "the listed span serves the next bundle");
    }

    @Test
    void anUnusedSpanLeavesThePageMapAndAnEmptyChunkIsUnmappedAfterTheDecayPeriod() {
        int cls = SizeClasses.classOf(4096);
        long[] blocks = new long[20];
        pool.allocateBundle(cls, blocks, 0, 20);
        assertEquals(20, pool.giveBack(blocks, 0, 20));
        for (long block : blocks) {
            assertNull(pageMap.get(block), "an unused span is no longer mapped");
        }
        assertEquals(0, pool.spanFreeBytes());
        long now = System.nanoTime();
        assertEquals(0, pool.releaseIdleChunks(now, HOUR), "kept for the decay period");
        assertEquals(Chunk.BYTES, pool.releaseIdleChunks(now + HOUR, HOUR));
        assertEquals(0, counters.mappedBytes());
        assertEquals(Chunk.BYTES, counters.returnedBytes());
    }

    @Test
    void aPoolGivesBackItsOwnBlocksAndStopsAtAnotherPools() {
        int cls = SizeClasses.classOf(64);
        long[] mine = new long[4]; // mine[3] stays out, so the span stays in use and its free bytes count
        long[] theirs = new long[2];
        pool.allocateBundle(cls, mine, 0, 4);
        otherPool.allocateBundle(cls, theirs, 0, 2);
        long[] mixed = {mine[0], mine[1], theirs[0], theirs[1], mine[2]};
        long before = pool.spanFreeBytes();
        assertEquals(2, pool.giveBack(mixed, 0, 5), "stops at the first block of another pool");
        assertEquals(before + 2L * 64, pool.spanFreeBytes());
        assertEquals(4, otherPool.giveBack(mixed, 2, 5));
        assertEquals(5, pool.giveBack(mixed, 4, 5));
        assertEquals(before + 3L * 64, pool.spanFreeBytes());
    }

    @Test
    void aClosedPoolMapsNothingMore() {
        pool.unmapAll();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.allocateBundle(0, new long[2], 0, 2));
        assertEquals("allocator pool-test is closed", e.getMessage());
        assertEquals(0, counters.mappedBytes());
    }

    @Test
    void aChunkIsReleasedOnceItStayedEmptyForTheWholeDecayPeriodAndNotWhileInUse() {
        int cls = SizeClasses.classOf(4096);
        long[] blocks = new long[16];
        pool.allocateBundle(cls, blocks, 0, 16);
        Chunk chunk = pageMap.get(blocks[0]).chunk;
        assertEquals(0, pool.releaseIdleChunks(chunk.emptySince + 2 * HOUR, HOUR), "a chunk in use is never released");
        pool.giveBack(blocks, 0, 16);
        assertTrue(chunk.isEmpty());
        assertEquals(0, pool.releaseIdleChunks(chunk.emptySince + HOUR - 1, HOUR), "one nanosecond short");
        assertEquals(Chunk.BYTES, pool.releaseIdleChunks(chunk.emptySince + HOUR, HOUR), "exactly the period");
        assertThrows(IllegalStateException.class, () -> chunk.segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0), "unmapped");
        assertEquals(0, pool.releaseIdleChunks(chunk.emptySince + 2 * HOUR, HOUR), "released once");
        assertEquals(Chunk.BYTES, counters.returnedBytes());
    }

    @Test
    void spansOfAnyClassShareAChunkUntilItIsFull() {
        long[] one = new long[1];
        for (int cls : new int[] {SizeClasses.classOf(16), SizeClasses.classOf(4096), SizeClasses.classOf(100_000)}) {
            pool.allocateBundle(cls, one, 0, 1);
            assertEquals(Chunk.BYTES, counters.mappedBytes(), "class " + SizeClasses.size(cls) + " found room in the first chunk");
        }
        int largest = SizeClasses.count() - 1; // 256 KiB blocks: spans of 4 pages, 16 to a chunk
        long[] big = new long[64];
        pool.allocateBundle(largest, big, 0, 64);
        assertTrue(counters.mappedBytes() > Chunk.BYTES, "a full chunk makes the pool map another");
        assertEquals(0, counters.mappedBytes() % Chunk.BYTES);
    }

    @Test
    void anEmptyChunkIsReusedFromItsFirstPage() {
        long[] blocks = new long[16];
        int cls = SizeClasses.classOf(4096);
        pool.allocateBundle(cls, blocks, 0, 16);
        Chunk chunk = pageMap.get(blocks[0]).chunk;
        pool.giveBack(blocks, 0, 16);
        assertTrue(chunk.isEmpty());
        long[] one = new long[1];
        pool.allocateBundle(SizeClasses.classOf(100), one, 0, 1);
        assertSame(chunk, pageMap.get(one[0]).chunk, "the empty chunk serves the next span");
        assertEquals(chunk.base, one[0], "from its first page");
        assertEquals(Chunk.BYTES, counters.mappedBytes());
    }

    @Test
    void unmapAllUnmapsEachChunkOnceAndLetsGoOfItsLock() throws Exception {
        long[] blocks = new long[16];
        pool.allocateBundle(SizeClasses.classOf(4096), blocks, 0, 16);
        pool.giveBack(blocks, 0, 16);
        pool.unmapAll();
        assertEquals(Chunk.BYTES, counters.returnedBytes());
        assertEquals(0, pool.releaseIdleChunks(Long.MAX_VALUE, 0), "the chunks are gone from the pool");
        assertEquals(Chunk.BYTES, counters.returnedBytes());
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread other = Thread.ofPlatform().start(() -> {
            try {
                pool.allocateBundle(0, new long[2], 0, 2);
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        other.join(java.time.Duration.ofSeconds(30));
        assertFalse(other.isAlive(), "another thread gets the lock");
        assertInstanceOf(IllegalStateException.class, thrown.get());
    }
}
