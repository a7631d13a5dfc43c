package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Finding and reaping threads' caches, alone: a dead thread's cache is flushed once and leaves
 * its table slot; a live thread keeps its slot against another whose id falls on it; no cache is
 * made after close.
 */
class ThreadCachesTest {
    private static final int CLS = SizeClasses.classOf(100);

    private final PageMap pageMap = new PageMap();
    private final AllocatorCounters counters = new AllocatorCounters();
    private final CentralCache central = new CentralCache(pageMap);
    private final Pool pool = new Pool(pageMap, counters, "caches-test");
    private final ThreadCaches caches = new ThreadCaches(new Pool[] {pool}, central, pageMap, counters, 2L << 20, "caches-test");

    @AfterEach
    void unmap() {
        pool.unmapAll();
    }

    private static int slotOf(Thread thread) {
        return (int) thread.threadId() & (ThreadCaches.TABLE_SLOTS - 1);
    }

    /** Starts {@code thread}, waits for it, and rethrows what its body threw. */
    private static void runOn(Thread thread, AtomicReference<Throwable> failure) throws InterruptedException {
        thread.start();
        thread.join(Duration.ofSeconds(30));
        assertFalse(thread.isAlive());
        if (failure.get() != null) {
            throw new AssertionError("the thread failed", failure.get());
        }
    }

    private static Runnable collecting(AtomicReference<Throwable> failure, Runnable body) {
        return () -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        };
    }

    @Test
    void aDeadThreadsCacheIsFlushedOnceAndLeavesItsSlot() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ThreadCache[] made = new ThreadCache[1];
        Thread worker = Thread.ofPlatform().unstarted(collecting(failure, () -> {
            ThreadCache cache = caches.current();
            made[0] = cache;
            MemorySegment block = cache.allocate(CLS, 100); // refills one bundle
            assertTrue(cache.free(block));
        }));
        runOn(worker, failure);
        int bundle = central.bundleSize(CLS);
        assertEquals(1, caches.live());
        assertSame(made[0], caches.byThreadId[slotOf(worker)]);
        assertEquals((long) bundle * SizeClasses.size(CLS), made[0].cachedBytes());
        long[] none = new long[SizeClasses.count()];
        assertEquals((long) bundle * SizeClasses.size(CLS), caches.addCountsTo(none, none.clone(), none.clone(), none.clone()),
                "the live caches' bytes");
        caches.reapDeadThreads();
        assertEquals(0, caches.addCountsTo(none, none.clone(), none.clone(), none.clone()), "none left");
        assertEquals(0, caches.live());
        assertNull(caches.byThreadId[slotOf(worker)], "the dead thread's slot is free again");
        assertEquals((long) bundle * SizeClasses.size(CLS), central.cachedBytes(), "every block it held is in the central cache");
        caches.reapDeadThreads();
        assertEquals((long) bundle * SizeClasses.size(CLS), central.cachedBytes(), "flushed once");
        long[] allocations = new long[SizeClasses.count()];
        long[] frees = new long[SizeClasses.count()];
        long[] refills = new long[SizeClasses.count()];
        long[] flushes = new long[SizeClasses.count()];
        counters.addCountsTo(allocations, frees, refills, flushes);
        assertEquals(1, allocations[CLS], "the dead cache's counts were kept");
        assertEquals(1, frees[CLS]);
        assertEquals(1, refills[CLS]);
        assertEquals(1, flushes[CLS], "its one bundle went back in one flush");
    }

    @Test
    void aLiveThreadKeepsItsSlotAgainstAnotherWhoseIdFallsOnIt() throws Exception {
        ThreadCache mine = caches.current();
        int slot = slotOf(Thread.currentThread());
        assertSame(mine, caches.byThreadId[slot]);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable body = collecting(failure, () -> {
            ThreadCache theirs = caches.current();
            assertNotSame(mine, theirs);
            assertSame(theirs, caches.current(), "found again, through the ThreadLocal");
            assertSame(mine, caches.byThreadId[slot], "a live thread's slot is not taken");
        });
        Thread twin;
        do {
            twin = Thread.ofPlatform().unstarted(body); // ids are handed out in sequence: one lands on the slot soon
        } while (slotOf(twin) != slot);
        runOn(twin, failure);
        assertSame(mine, caches.current());
        assertEquals(2, caches.live());
    }

    @Test
    void noCacheIsMadeAfterClose() throws Exception {
        assertTrue(caches.close());
        assertFalse(caches.close(), "closing again does nothing");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        runOn(Thread.ofPlatform().unstarted(collecting(failure, () -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, caches::current);
            assertEquals("allocator caches-test is closed", e.getMessage());
        })), failure);
        assertEquals(0, caches.live());
    }

    @Test
    void aThreadOffTheTableKeepsOneCachePerAllocator() throws Exception {
        Pool otherPool = new Pool(pageMap, counters, "caches-test-2");
        ThreadCaches second = new ThreadCaches(new Pool[] {otherPool}, central, pageMap, counters, 2L << 20, "caches-test-2");
        try {
            caches.current();
            second.current(); // this live thread holds the slot in both tables
            int slot = slotOf(Thread.currentThread());
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Runnable body = collecting(failure, () -> {
                ThreadCache mine = caches.current();
                ThreadCache theirs = second.current();
                assertNotSame(mine, theirs);
                assertSame(mine, caches.current(), "back to the first allocator: its cache, not a new one");
                assertSame(theirs, second.current());
            });
            Thread twin;
            do {
                twin = Thread.ofPlatform().unstarted(body);
            } while (slotOf(twin) != slot);
            runOn(twin, failure);
            assertEquals(2, caches.live(), "this thread's and the twin's");
            assertEquals(2, second.live());
        } finally {
            otherPool.unmapAll();
        }
    }

    @Test
    void cachesAreSpreadOverThePoolsInTurn() throws Exception {
        Pool otherPool = new Pool(pageMap, counters, "caches-test-2");
        ThreadCaches spread = new ThreadCaches(new Pool[] {pool, otherPool}, central, pageMap, counters, 2L << 20, "spread");
        try {
            Pool[] seen = new Pool[4];
            for (int i = 0; i < seen.length; i++) {
                int at = i;
                AtomicReference<Throwable> failure = new AtomicReference<>();
                runOn(Thread.ofPlatform().unstarted(collecting(failure, () -> {
                    MemorySegment block = spread.current().allocate(CLS, 100);
                    seen[at] = pageMap.get(block.address()).chunk.pool;
                })), failure);
            }
            assertSame(pool, seen[0]);
            assertSame(otherPool, seen[1]);
            assertSame(pool, seen[2]);
            assertSame(otherPool, seen[3]);
        } finally {
            otherPool.unmapAll();
        }
    }

    /** Making caches reaps the dead once as many were made as the larger of 16 and half the live ones. */
    @Test
    void theSixteenthNewCacheReapsTheDeadOnes() throws Exception {
        for (int i = 1; i <= 20; i++) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            runOn(Thread.ofPlatform().unstarted(collecting(failure, caches::current)), failure);
            assertEquals(i < 16 ? i : i - 15, caches.live(), "after " + i + " short-lived threads: the reap restarts the count");
        }
    }
}
