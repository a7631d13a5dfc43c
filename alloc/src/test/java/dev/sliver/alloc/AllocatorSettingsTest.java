package dev.sliver.alloc;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.*;

/** Each builder setting does what it says, observed through the stats. */
class AllocatorSettingsTest {
    private static ClassStats classOf(AllocatorStats stats, int blockSize) {
        return stats.classes().stream().filter(c -> c.blockSize() == blockSize).findFirst().orElseThrow();
    }

    /** Frees 20 blocks of 4 KiB on a fresh thread; returns the flushes to the central cache that caused. */
    private static long flushesAfterFreeing20(ThreadCachingAllocator allocator) throws Exception {
        Thread worker = Thread.ofPlatform().start(() -> {
            List<MemorySegment> blocks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                blocks.add(allocator.allocate(4096));
            }
            blocks.forEach(allocator::free);
            assertEquals(0, allocator.stats().bytesInUse());
        });
        worker.join();
        return classOf(allocator.stats(), 4096).flushes();
    }

    @Test
    void theThreadCacheBudgetBoundsWhatAThreadKeeps() throws Exception {
        try (ThreadCachingAllocator roomy = ThreadCachingAllocator.builder().build();
             ThreadCachingAllocator tight = ThreadCachingAllocator.builder().threadCacheBytes(16 * 1024).build()) {
            assertEquals(0, flushesAfterFreeing20(roomy), "20 x 4 KiB fit the default 2 MiB: nothing leaves the thread");
            assertTrue(flushesAfterFreeing20(tight) > 0, "over a 16 KiB budget the cache gives blocks back");
        }
    }

    @Test
    void idleLargeBlocksAreCappedAndDecay() {
        Duration decay = Duration.ofHours(1);
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().maxIdleLargeBytes(8L << 20).decay(decay).build()) {
            List<MemorySegment> big = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                big.add(allocator.allocate(4L << 20));
            }
            assertEquals(12L << 20, allocator.stats().bytesMapped());
            big.forEach(allocator::free);
            AllocatorStats freed = allocator.stats();
            assertEquals(8L << 20, freed.bytesCached(), "two of the three stay warm: the cap is 8 MiB");
            assertEquals(8L << 20, freed.bytesMapped(), "the third was unmapped at once");
            allocator.decayAt(System.nanoTime());
            assertEquals(8L << 20, allocator.stats().bytesCached(), "kept for the decay period");
            allocator.decayAt(System.nanoTime() + decay.toNanos());
            assertEquals(0, allocator.stats().bytesCached(), "and unmapped after it");
            assertEquals(12L << 20, allocator.stats().bytesReturned());
        }
        try (ThreadCachingAllocator none = ThreadCachingAllocator.builder().maxIdleLargeBytes(0).build()) {
            none.free(none.allocate(1 << 20));
            assertEquals(0, none.stats().bytesCached(), "a cap of 0 keeps nothing");
        }
    }

    @Test
    void eachSetterChecksItsSetting() {
        assertThrows(IllegalArgumentException.class, () -> ThreadCachingAllocator.builder().largeThreshold(1 << 20));
    }

    @Test
    void theLargeThresholdDecidesWhoGetsAMappingOfItsOwn() {
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().largeThreshold(1024).build()) {
            MemorySegment small = allocator.allocate(1024);
            MemorySegment large = allocator.allocate(1025);
            assertEquals(1, allocator.stats().largeInUse());
            allocator.free(small);
            allocator.free(large);
            assertEquals(0, allocator.stats().largeInUse());
        }
    }

    @Test
    void stripesAreTheSettingRoundedUpToAPowerOfTwoAndOneIsOne() {
        java.util.Map<Integer, Integer> expected = java.util.Map.of(1, 1, 2, 2, 3, 4, 4, 4, 5, 8);
        for (var e : expected.entrySet()) {
            try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().stripes(e.getKey()).build()) {
                assertEquals(e.getValue(), allocator.stripes.count(), "stripes(" + e.getKey() + ")"); // was 0 for 1
            }
        }
    }

    @Test
    void oneStripeServesManyVirtualThreadsWithoutHandingABlockOutTwice() throws Exception {
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().stripes(1).build();
             var virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.ConcurrentHashMap<Long, Boolean> live = new java.util.concurrent.ConcurrentHashMap<>();
            List<java.util.concurrent.Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 200; t++) {
                tasks.add(virtual.submit(() -> {
                    List<MemorySegment> mine = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        MemorySegment block = allocator.allocate(64 + (i % 7) * 100);
                        assertNull(live.put(block.address(), true), "handed out twice");
                        mine.add(block);
                    }
                    for (MemorySegment block : mine) {
                        live.remove(block.address());
                        allocator.free(block);
                    }
                    return null;
                }));
            }
            for (var task : tasks) {
                task.get();
            }
            assertEquals(0, allocator.stats().bytesInUse());
        }
    }
}
