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
        assertRefused("pools must be at least 1, got 0", () -> ThreadCachingAllocator.builder().pools(0));
        assertRefused("stripes must be at least 1, got 0", () -> ThreadCachingAllocator.builder().stripes(0));
        assertRefused("negative thread cache budget: -1", () -> ThreadCachingAllocator.builder().threadCacheBytes(-1));
        assertRefused("large threshold must be in [0, 262144], got -1", () -> ThreadCachingAllocator.builder().largeThreshold(-1));
        assertRefused("large threshold must be in [0, 262144], got 262145", () -> ThreadCachingAllocator.builder().largeThreshold(262_145));
        assertRefused("negative decay: PT-0.001S", () -> ThreadCachingAllocator.builder().decay(Duration.ofMillis(-1)));
        assertRefused("negative cap: -1", () -> ThreadCachingAllocator.builder().maxIdleLargeBytes(-1));
        assertEquals("decay", assertThrows(NullPointerException.class, () -> ThreadCachingAllocator.builder().decay(null)).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class, () -> ThreadCachingAllocator.builder().name(null)).getMessage());
    }

    private static void assertRefused(String message, org.junit.jupiter.api.function.Executable setter) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, setter).getMessage());
    }

    @Test
    void theSmallestAndLargestSettingsAreAccepted() {
        AllocatorSettings s = ThreadCachingAllocator.builder().pools(1).stripes(1).threadCacheBytes(0).largeThreshold(0)
                .decay(Duration.ZERO).maxIdleLargeBytes(0).name("edges").settings();
        assertEquals(new AllocatorSettings(1, 1, 0, 0, Duration.ZERO, 0, "edges"), s);
        assertEquals(SizeClasses.MAX_SMALL, ThreadCachingAllocator.builder().largeThreshold(SizeClasses.MAX_SMALL).settings().largeThreshold());
    }

    @Test
    void theDefaultsAreSizedForThisMachine() {
        int twiceTheCores = 2 * Runtime.getRuntime().availableProcessors();
        assertEquals(new AllocatorSettings(twiceTheCores, twiceTheCores, 2L << 20, 256 * 1024, Duration.ofSeconds(10), 2L << 30, null),
                AllocatorSettings.defaults());
        assertEquals(AllocatorSettings.defaults(), ThreadCachingAllocator.builder().settings());
    }

    @Test
    void eachSetterChangesItsOwnSettingAlone() {
        AllocatorSettings d = AllocatorSettings.defaults();
        assertEquals(new AllocatorSettings(3, d.stripes(), d.threadCacheBytes(), d.largeThreshold(), d.decay(), d.maxIdleLargeBytes(), null),
                ThreadCachingAllocator.builder().pools(3).settings());
        assertEquals(new AllocatorSettings(d.pools(), 5, d.threadCacheBytes(), d.largeThreshold(), d.decay(), d.maxIdleLargeBytes(), null),
                ThreadCachingAllocator.builder().stripes(5).settings());
        assertEquals(new AllocatorSettings(d.pools(), d.stripes(), 7, d.largeThreshold(), d.decay(), d.maxIdleLargeBytes(), null),
                ThreadCachingAllocator.builder().threadCacheBytes(7).settings());
        assertEquals(new AllocatorSettings(d.pools(), d.stripes(), d.threadCacheBytes(), 9, d.decay(), d.maxIdleLargeBytes(), null),
                ThreadCachingAllocator.builder().largeThreshold(9).settings());
        assertEquals(new AllocatorSettings(d.pools(), d.stripes(), d.threadCacheBytes(), d.largeThreshold(), Duration.ofMinutes(1), d.maxIdleLargeBytes(), null),
                ThreadCachingAllocator.builder().decay(Duration.ofMinutes(1)).settings());
        assertEquals(new AllocatorSettings(d.pools(), d.stripes(), d.threadCacheBytes(), d.largeThreshold(), d.decay(), 11, null),
                ThreadCachingAllocator.builder().maxIdleLargeBytes(11).settings());
        assertEquals(new AllocatorSettings(d.pools(), d.stripes(), d.threadCacheBytes(), d.largeThreshold(), d.decay(), d.maxIdleLargeBytes(), "n"),
                ThreadCachingAllocator.builder().name("n").settings());
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
