package dev.sliver.alloc;

import dev.sliver.core.testkit.Watchdog;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.*;

/** Short-lived platform threads and virtual threads must not make memory grow without bound. */
class ThreadLifecycleTest {
    private static final Duration LIMIT = Duration.ofMinutes(2);

    @Test
    void tenThousandShortLivedThreadsLeaveBoundedMemory() throws Exception {
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().pools(2).build()) {
            long maxCachedAndInUse = Watchdog.run("short-lived threads", LIMIT, () -> {
                long max = 0;
                for (int t = 0; t < 10_000; t++) {
                    Thread thread = Thread.ofPlatform().start(() -> churn(allocator));
                    thread.join();
                    if (t % 500 == 0) {
                        AllocatorStats stats = allocator.stats();
                        max = Math.max(max, stats.bytesInUse() + stats.bytesCached());
                    }
                }
                return max;
            });
            allocator.reapDeadThreads();
            AllocatorStats stats = allocator.stats();
            assertEquals(0, stats.bytesInUse());
            assertEquals(0, stats.threadCaches(), "every dead thread's cache was reaped");
            // Without reaping, each dead thread would strand up to ~100 KiB: 10,000 of them about 1 GiB.
            assertTrue(maxCachedAndInUse < 64L << 20, "cached + in use peaked at " + maxCachedAndInUse);
            assertTrue(stats.bytesMapped() < 64L << 20, "mapped " + stats.bytesMapped());
        }
    }

    @Test
    void aHundredThousandVirtualThreadsShareStripedCaches() throws Exception {
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().pools(2).build();
             var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            Watchdog.run("a hundred thousand virtual threads", LIMIT, () -> {
                List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 100_000; t++) {
                    futures.add(executor.submit(() -> churn(allocator)));
                }
                for (var f : futures) {
                    f.get();
                }
                return null;
            });
            AllocatorStats stats = allocator.stats();
            assertEquals(0, stats.bytesInUse());
            assertEquals(0, stats.threadCaches(), "virtual threads get no cache of their own");
            assertTrue(stats.bytesCached() < 64L << 20, "cached " + stats.bytesCached());
            assertTrue(stats.bytesMapped() < 128L << 20, "mapped " + stats.bytesMapped());
        }
    }

    private static void churn(ThreadCachingAllocator allocator) {
        List<MemorySegment> blocks = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            blocks.add(allocator.allocate(16L << (i % 12)));
        }
        blocks.forEach(allocator::free);
    }
}
