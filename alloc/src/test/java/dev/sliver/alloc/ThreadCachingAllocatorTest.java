package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ThreadCachingAllocatorTest {
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().pools(2).build();

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void blocksAreDistinctWritableAndAligned() {
        Set<Long> addresses = new HashSet<>();
        List<MemorySegment> blocks = new ArrayList<>();
        for (int size : new int[] {0, 1, 15, 16, 17, 100, 1000, 4096, 5000, 65536, 200_000, 262_144, 262_145, 1 << 20}) {
            for (int i = 0; i < 50; i++) {
                MemorySegment block = allocator.allocate(size, 8);
                assertEquals(size, block.byteSize());
                assertEquals(0, block.address() % 16);
                assertTrue(addresses.add(block.address()), "address handed out twice");
                block.fill((byte) i);
                blocks.add(block);
            }
        }
        for (MemorySegment block : blocks) {
            allocator.free(block);
        }
        AllocatorStats stats = allocator.stats();
        assertEquals(0, stats.bytesInUse());
        assertEquals(stats.allocations(), stats.frees());
        assertEquals(0, stats.largeInUse());
    }

    @Test
    void overAlignedRequestsAreHonoured() {
        for (long alignment = 1; alignment <= 1 << 20; alignment <<= 1) {
            MemorySegment block = allocator.allocate(100, alignment);
            assertEquals(0, block.address() % alignment, "alignment " + alignment);
            assertEquals(100, block.byteSize());
            allocator.free(block);
        }
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
    void zeroedAllocationsAreZero() {
        MemorySegment dirty = allocator.allocate(256);
        dirty.fill((byte) 0x7F);
        allocator.free(dirty);
        MemorySegment clean = allocator.allocateZeroed(256, 8);
        assertEquals(dirty.address(), clean.address());
        for (long i = 0; i < 256; i++) {
            assertEquals(0, clean.get(ValueLayout.JAVA_BYTE, i));
        }
        allocator.free(clean);
    }

    @Test
    void doubleFreeIsDetectedForSmallAndLargeBlocks() {
        for (long size : new long[] {48, 300_000}) {
            MemorySegment block = allocator.allocate(size);
            allocator.free(block);
            RuntimeException e = assertThrows(RuntimeException.class, () -> allocator.free(block));
            assertTrue(e.getMessage().contains("double free") || e.getMessage().contains("already freed"), e.getMessage());
        }
        // The allocator is intact: the next blocks are distinct.
        MemorySegment x = allocator.allocate(48);
        MemorySegment y = allocator.allocate(48);
        assertNotEquals(x.address(), y.address());
        allocator.free(x);
        allocator.free(y);
    }

    @Test
    void foreignSegmentsAndSlicesOfBlocksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> allocator.free(MemorySegment.ofArray(new byte[16])));
        assertThrows(IllegalArgumentException.class, () -> allocator.free(Arena.ofAuto().allocate(64)));
        try (ThreadCachingAllocator other = ThreadCachingAllocator.builder().build()) {
            MemorySegment theirs = other.allocate(64);
            assertThrows(IllegalArgumentException.class, () -> allocator.free(theirs));
            other.free(theirs);
        }
        MemorySegment block = allocator.allocate(1024);
        assertThrows(IllegalArgumentException.class, () -> allocator.free(block.asSlice(16)));
        assertThrows(IllegalArgumentException.class, () -> allocator.free(block.asSlice(0, 100)));
        MemorySegment big = allocator.allocate(1 << 20);
        assertThrows(IllegalArgumentException.class, () -> allocator.free(big.asSlice(0, 1000)));
        allocator.free(block);
        allocator.free(big);
        assertEquals(0, allocator.stats().bytesInUse());
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 0));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 24));
        assertThrows(IllegalArgumentException.class, () -> ThreadCachingAllocator.builder().largeThreshold(1 << 20));
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
    void closingMakesStaleSegmentsThrowInsteadOfCrashing() {
        ThreadCachingAllocator closing = ThreadCachingAllocator.builder().build();
        MemorySegment small = closing.allocate(64);
        MemorySegment big = closing.allocate(1 << 20);
        closing.close();
        assertThrows(IllegalStateException.class, () -> small.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> big.get(ValueLayout.JAVA_BYTE, 0));
        assertThrows(IllegalStateException.class, () -> closing.allocate(8));
        assertThrows(IllegalStateException.class, () -> closing.free(small));
        closing.close(); // idempotent
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
