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

    @Test
    void usableSizeIsTheClassBlockUpToTheThresholdAndTheRequestAbove() {
        assertEquals(16, allocator.usableSize(0));
        assertEquals(16, allocator.usableSize(1));
        assertEquals(112, allocator.usableSize(100));
        assertEquals(SizeClasses.MAX_SMALL, allocator.usableSize(SizeClasses.MAX_SMALL));
        assertEquals(SizeClasses.MAX_SMALL + 1L, allocator.usableSize(SizeClasses.MAX_SMALL + 1L));
        assertEquals("negative size: -1", assertThrows(IllegalArgumentException.class, () -> allocator.usableSize(-1)).getMessage());
        MemorySegment whole = allocator.allocate(allocator.usableSize(100));
        assertEquals(112, whole.byteSize());
        allocator.free(whole);
    }

    @Test
    void badRequestsAndAClosedAllocatorAreNamedInTheMessage() {
        assertEquals("negative size: -5", assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-5, 8)).getMessage());
        assertEquals("alignment is not a power of two: 0", assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 0)).getMessage());
        assertEquals("alignment is not a power of two: -8", assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, -8)).getMessage());
        assertEquals("alignment is not a power of two: 24", assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 24)).getMessage());
        MemorySegment foreign = MemorySegment.ofArray(new byte[16]);
        IllegalArgumentException notOurs = assertThrows(IllegalArgumentException.class, () -> allocator.free(foreign));
        assertTrue(notOurs.getMessage().endsWith("(16 bytes) that this allocator did not hand out, or that was already freed"), notOurs.getMessage());
        ThreadCachingAllocator named = ThreadCachingAllocator.builder().name("tca-test").build();
        MemorySegment block = named.allocate(64);
        assertEquals("ThreadCachingAllocator[tca-test]", named.toString());
        named.close();
        assertEquals("ThreadCachingAllocator[tca-test, closed]", named.toString());
        assertEquals("allocator tca-test is closed", assertThrows(IllegalStateException.class, () -> named.allocate(64)).getMessage());
        assertEquals("allocator tca-test is closed", assertThrows(IllegalStateException.class, () -> named.allocate(1 << 20)).getMessage());
        assertEquals("allocator tca-test is closed", assertThrows(IllegalStateException.class, () -> named.free(block)).getMessage());
        assertEquals("negative size: -1", assertThrows(IllegalArgumentException.class, () -> named.allocate(-1)).getMessage(),
                "a bad argument is named before the close");
    }

    @Test
    void unnamedAllocatorsAreNumberedInCreationOrder() {
        try (ThreadCachingAllocator first = ThreadCachingAllocator.builder().build();
             ThreadCachingAllocator second = ThreadCachingAllocator.builder().build()) {
            int n = Integer.parseInt(first.name().substring("allocator-".length()));
            assertEquals("allocator-" + (n + 1), second.name());
        }
    }

    @Test
    void overAlignedRequestsTakeAClassWhoseBlocksAreAligned() {
        for (long alignment = 32; alignment <= SizeClasses.PAGE_SIZE; alignment <<= 1) {
            MemorySegment block = allocator.allocate(1, alignment);
            assertEquals(0, block.address() % alignment, "alignment " + alignment);
            assertEquals(1, block.byteSize());
            assertEquals(0, allocator.stats().largeInUse(), "served from a size class: " + alignment);
            allocator.free(block);
        }
        MemorySegment page = allocator.allocate(0, SizeClasses.PAGE_SIZE * 2L);
        assertEquals(1, allocator.stats().largeInUse(), "past a span page: a mapping of its own");
        allocator.free(page);
        ThreadCachingAllocatorContractTest.assertAllFreed(allocator.stats());
        try (ThreadCachingAllocator low = ThreadCachingAllocator.builder().largeThreshold(1000).build()) {
            MemorySegment within = low.allocate(995, 16); // this thread's first call: the slow path
            assertEquals(0, low.stats().largeInUse(), "995 bytes aligned to 16 fit a class: no rounding up to 1008");
            MemorySegment rounded = low.allocate(990, 64);
            assertEquals(1, low.stats().largeInUse(), "rounded up to 1024 for the alignment: past the threshold");
            assertEquals(990, rounded.byteSize());
            low.free(within);
            low.free(rounded);
        }
    }

    @Test
    void statsAddUpAcrossClassesAndSayWhatIsInUse() {
        AllocatorStats empty = allocator.stats();
        assertEquals(0, empty.allocations());
        assertEquals(0, empty.threadCacheHitRate(), "no allocations: a rate of 0, not NaN");
        MemorySegment a = allocator.allocate(100);
        MemorySegment b = allocator.allocate(1000);
        MemorySegment c = allocator.allocate(1 << 20);
        AllocatorStats stats = allocator.stats();
        int capacity = SizeClasses.PAGE_SIZE / 112; // a span of 112-byte blocks is one page
        int kiloSpan = (int) ((long) SizeClasses.spanPages(SizeClasses.classOf(1000)) * SizeClasses.PAGE_SIZE / 1024);
        assertEquals((capacity - 1) * 112L + (kiloSpan - 1) * 1024L, stats.bytesCached(),
                "every block of the two spans but the one in use is cached: in the thread cache or its span");
        assertEquals(2, stats.allocations(), "a large block is not a class allocation");
        assertEquals(0, stats.frees());
        assertEquals(112 + 1024 + (1 << 20), stats.bytesInUse());
        assertEquals(1, stats.largeInUse());
        assertEquals(1, stats.threadCaches());
        assertEquals(0.0, stats.threadCacheHitRate(), "two allocations, two refills");
        ClassStats small = stats.classes().get(SizeClasses.classOf(100));
        assertEquals(1, small.inUse());
        assertEquals(0.0, small.threadCacheHitRate());
        assertEquals(0.0, stats.classes().get(0).threadCacheHitRate(), "an unused class");
        MemorySegment d = allocator.allocate(100);
        assertEquals(0.5, allocator.stats().classes().get(SizeClasses.classOf(100)).threadCacheHitRate());
        assertEquals(1 - 2.0 / 3, allocator.stats().threadCacheHitRate(), 1e-12);
        allocator.free(a);
        allocator.free(b);
        allocator.free(c);
        allocator.free(d);
        AllocatorStats after = allocator.stats();
        assertEquals(3, after.frees());
        assertEquals(0, after.bytesInUse());
        assertEquals(0, after.classes().get(SizeClasses.classOf(100)).inUse());
    }

    @Test
    void everyMXBeanAttributeReadsAFreshSnapshot() throws Exception {
        String beanName = "attributes-" + System.nanoTime();
        var name = allocator.registerMXBean(beanName);
        assertEquals("dev.sliver:type=ThreadCachingAllocator,name=\"" + beanName + "\"", name.toString());
        var server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        MemorySegment small = allocator.allocate(100);
        MemorySegment big = allocator.allocate(1 << 20);
        allocator.free(allocator.allocate(100));
        AllocatorStats stats = allocator.stats();
        assertEquals(stats.bytesInUse(), server.getAttribute(name, "BytesInUse"));
        assertEquals(112L + (1 << 20), server.getAttribute(name, "BytesInUse"));
        assertEquals(stats.bytesCached(), server.getAttribute(name, "BytesCached"));
        assertEquals(stats.bytesMapped(), server.getAttribute(name, "BytesMapped"));
        assertEquals(Chunk.BYTES + (1L << 20), server.getAttribute(name, "BytesMapped"));
        assertEquals(2L, server.getAttribute(name, "Allocations"));
        assertEquals(1L, server.getAttribute(name, "Frees"));
        assertEquals(0.5, server.getAttribute(name, "ThreadCacheHitRate"));
        assertEquals(1, server.getAttribute(name, "ThreadCaches"));
        allocator.free(small);
        allocator.free(big);
        assertEquals(0L, server.getAttribute(name, "BytesReturned"));
        allocator.decayAt(System.nanoTime() + Duration.ofSeconds(10).toNanos()); // past the default decay: the idle large block goes
        assertEquals(1L << 20, server.getAttribute(name, "BytesReturned"));
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> allocator.registerMXBean(beanName));
        assertEquals("cannot register the allocator's MXBean as " + beanName, twice.getMessage());
        allocator.close();
        assertFalse(server.isRegistered(name));
        allocator.close(); // closing again does nothing, the bean already gone
    }

    /** The decay thread ticks every quarter of the period, at least every 10 ms: with no decay period it empties a quiet allocator by itself. */
    @Test
    void theDecayThreadGivesIdleMemoryBackByItself() throws Exception {
        ThreadCachingAllocator quick = ThreadCachingAllocator.builder().decay(Duration.ZERO).name("quick-decay").build();
        Thread worker = Thread.ofPlatform().start(() -> {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                blocks.add(quick.allocate(4096));
            }
            blocks.forEach(quick::free);
        });
        worker.join();
        for (int i = 0; i < 3000 && quick.stats().bytesMapped() > 0; i++) {
            Thread.sleep(10); // waits for the event, at most 30 s
        }
        assertEquals(0, quick.stats().bytesMapped(), "the decay thread reaped the dead cache, drained and unmapped");
        assertEquals(0, quick.stats().threadCaches());
        Thread decay = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("sliver-decay-quick-decay")).findFirst().orElseThrow();
        assertTrue(decay.isDaemon());
        quick.close();
        decay.join(Duration.ofSeconds(30));
        assertFalse(decay.isAlive(), "the decay thread ends with its allocator");
    }

    /** Starts a platform thread whose id falls on the calling thread's slot of the table by thread id, and waits for it. */
    private static void onATwinThread(Runnable body) throws Exception {
        int slot = (int) Thread.currentThread().threadId() & (ThreadCaches.TABLE_SLOTS - 1);
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread twin;
        do {
            twin = Thread.ofPlatform().unstarted(() -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
        } while (((int) twin.threadId() & (ThreadCaches.TABLE_SLOTS - 1)) != slot);
        twin.start();
        twin.join();
        if (failure.get() != null) {
            throw new AssertionError("the twin failed", failure.get());
        }
    }

    @Test
    void aThreadWhoseSlotALiveThreadHoldsUsesACacheOfItsOwn() throws Exception {
        MemorySegment mine = allocator.allocate(64);
        allocator.free(mine); // the top of this thread's cache
        MemorySegment[] theirs = new MemorySegment[1];
        onATwinThread(() -> {
            theirs[0] = allocator.allocate(64);
            assertNotEquals(mine.address(), theirs[0].address(), "not from this thread's cache");
            MemorySegment other = allocator.allocate(64);
            allocator.free(other); // into the twin's cache, not this thread's
        });
        assertEquals(2, allocator.stats().threadCaches());
        MemorySegment again = allocator.allocate(64);
        assertEquals(mine.address(), again.address(), "this thread's cache is as it left it");
        allocator.free(again);
        allocator.free(theirs[0]);
    }

    @Test
    void aVirtualThreadsDoubleFreeIsCaught() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                MemorySegment block = allocator.allocate(64);
                allocator.free(block);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.free(block));
                assertTrue(e.getMessage().startsWith("double free"), e.getMessage());
            } catch (Throwable e) {
                failure.set(e);
            }
        }).join();
        assertNull(failure.get(), () -> "the virtual thread failed: " + failure.get());
        ThreadCachingAllocatorContractTest.assertAllFreed(allocator.stats());
    }

    @Test
    void anEmptyRequestOnTheSlowPathTakesTheSmallestClass() {
        MemorySegment empty = allocator.allocate(0, 8); // this thread's first call on this allocator: the slow path
        assertEquals(0, empty.byteSize());
        assertEquals(0, allocator.stats().largeInUse(), "not a mapping of its own");
        assertEquals(16, allocator.stats().bytesInUse());
        allocator.free(empty);
    }

    @Test
    void anOverAlignedSizeThatIsAlreadyAMultipleKeepsItsClass() {
        MemorySegment block = allocator.allocate(64, 64);
        assertEquals(64, allocator.stats().bytesInUse(), "class 64, not the next one up");
        allocator.free(block);
        MemorySegment zero = allocator.allocate(0, 32);
        assertEquals(32, allocator.stats().bytesInUse(), "an empty request aligned to 32 takes a 32-byte block");
        allocator.free(zero);
        assertEquals("alignment is not a power of two: 3", assertThrows(IllegalArgumentException.class, () -> allocator.allocate(0, 3)).getMessage(),
                "an empty request is not a negative one");
    }

    @Test
    void theLargeThresholdItselfIsStillServedFromAClass() {
        try (ThreadCachingAllocator low = ThreadCachingAllocator.builder().largeThreshold(1024).build()) {
            MemorySegment rounded = low.allocate(1000, 32); // rounded up to 1024 for the alignment: the threshold
            assertEquals(0, low.stats().largeInUse());
            assertEquals(1024, low.stats().bytesInUse());
            low.free(rounded);
        }
        try (ThreadCachingAllocator low = ThreadCachingAllocator.builder().largeThreshold(1000).build()) {
            assertEquals(1024, low.usableSize(1000), "at the threshold: the class block");
            assertEquals(1001, low.usableSize(1001), "above it: the request");
        }
    }

    @Test
    void aHandleCannotBeMadeOnAClosedAllocatorByAThreadWithoutACache() throws Exception {
        ThreadCachingAllocator closing = ThreadCachingAllocator.builder().name("closing").build();
        closing.close();
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread.ofPlatform().start(() -> {
            try {
                closing.local();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }).join();
        assertInstanceOf(IllegalStateException.class, thrown.get());
        assertEquals("allocator closing is closed", thrown.get().getMessage());
    }

    @Test
    void whatTheStripesHoldIsCountedAsCached() throws Exception {
        MemorySegment[] block = new MemorySegment[1];
        Thread.ofVirtual().start(() -> block[0] = allocator.allocate(100)).join();
        AllocatorStats stats = allocator.stats();
        assertEquals(0, stats.threadCaches(), "a virtual thread has no cache of its own");
        assertEquals(112, stats.bytesInUse());
        assertEquals((SizeClasses.PAGE_SIZE / 112 - 1) * 112L, stats.bytesCached(),
                "the rest of the span: the bundle's rest in a stripe, the others in the span");
        assertEquals(1, stats.allocations());
        allocator.free(block[0]);
    }
}
