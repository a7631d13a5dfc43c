package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What is particular to {@link ThreadCachingAllocator}: LIFO reuse, large-block reuse, close racing
 * allocations, statistics, JMX and decay. The allocator contract it shares with every allocator
 * is {@link ThreadCachingAllocatorContractTest}.
 */
class ThreadCachingAllocatorTest {
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().pools(2).build();

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void freedBlocksAreReusedLifo() {
        MemorySegment a = allocator.allocate(64);
        long address = a.address();
        allocator.free(a);
        MemorySegment b = allocator.allocate(60);
        assertEquals(address, b.address(), "the thread cache hands back the block just freed");
        allocator.free(b);
    }

    @Test
    void freedLargeBlocksAreReusedWithinTheDecayPeriod() {
        MemorySegment first = allocator.allocate(3 << 20);
        long address = first.address();
        allocator.free(first);
        MemorySegment again = allocator.allocate((3 << 20) - 1000);
        assertEquals(address, again.address(), "an idle large block that fits is reused");
        allocator.free(again);
        MemorySegment tooSmall = allocator.allocate(1 << 20);
        assertNotEquals(address, tooSmall.address(), "a block 3x too large is not handed out");
        allocator.free(tooSmall);
    }

    @Test
    void theSharedAllocatorCannotBeClosed() {
        assertThrows(UnsupportedOperationException.class, () -> ThreadCachingAllocator.shared().close());
    }

    @Test
    void closeRacingAllocationsLeavesNothingMapped() throws Exception {
        for (int round = 0; round < 20; round++) {
            ThreadCachingAllocator closing = ThreadCachingAllocator.builder().pools(1).build();
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(2);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                long size = t == 0 ? 100_000 : 1 << 20; // a fresh chunk or span per few calls, and large blocks
                threads.add(Thread.ofPlatform().start(() -> {
                    running.countDown();
                    try {
                        for (;;) {
                            closing.allocate(size); // never freed: close takes everything back
                        }
                    } catch (IllegalStateException closed) {
                        // expected once close() ran
                    }
                }));
            }
            running.await();
            closing.close();
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(10));
                assertFalse(t.isAlive());
            }
            assertEquals(0, closing.stats().bytesMapped(), "a chunk or block mapped after close() was never unmapped");
        }
    }

    @Test
    void statsCountHitsAndTransfers() {
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            blocks.add(allocator.allocate(100));
        }
        blocks.forEach(allocator::free);
        for (int i = 0; i < 1000; i++) {
            allocator.free(allocator.allocate(100));
        }
        AllocatorStats stats = allocator.stats();
        ClassStats cls = stats.classes().get(SizeClasses.classOf(100));
        assertEquals(112, cls.blockSize());
        assertEquals(2000, cls.allocations());
        assertEquals(2000, cls.frees());
        assertTrue(cls.refills() >= 1000 / 32, "refills " + cls.refills());
        assertTrue(cls.flushes() > 0);
        assertTrue(cls.threadCacheHitRate() > 0.9, "hit rate " + cls.threadCacheHitRate());
        assertTrue(stats.bytesMapped() >= Chunk.BYTES);
        assertTrue(stats.bytesCached() >= 1000 * 112, "cached " + stats.bytesCached());
    }

    @Test
    void theMXBeanShowsTheStats() throws Exception {
        var name = allocator.registerMXBean("test-" + System.nanoTime());
        allocator.free(allocator.allocate(64));
        var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        assertEquals(1L, server.getAttribute(name, "Allocations"));
        assertEquals(0L, server.getAttribute(name, "BytesInUse"));
        allocator.close();
        assertFalse(server.isRegistered(name));
    }

    @Test
    void idleChunksGoBackToTheOsAfterTheDecayPeriod() throws Exception {
        Duration decay = Duration.ofHours(1); // the decay thread never gets there: the test drives the clock
        try (ThreadCachingAllocator decaying = ThreadCachingAllocator.builder().decay(decay).build()) {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 4096; i++) {
                blocks.add(decaying.allocate(4096));
            }
            Thread freer = Thread.ofPlatform().start(() -> blocks.forEach(decaying::free));
            freer.join(); // the freeing thread dies: its cache is reaped too
            long mapped = decaying.stats().bytesMapped();
            assertTrue(mapped >= 16L << 20);
            decaying.decayAt(System.nanoTime()); // reaps the dead cache, notes the central stacks' moves
            decaying.decayAt(System.nanoTime()); // drains the stacks that did not move
            assertEquals(mapped, decaying.stats().bytesMapped(), "nothing is unmapped before the decay period");
            long later = System.nanoTime() + decay.toNanos();
            decaying.decayAt(later);
            assertEquals(0, decaying.stats().bytesMapped(), "every chunk went back once the period passed");
            assertEquals(mapped, decaying.stats().bytesReturned());
        }
    }
}
