package dev.sliver.alloc;

import dev.sliver.core.testkit.Watchdog;
import org.junit.jupiter.api.RepeatedTest;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The workload that once hung the allocator: 20,000 virtual-thread tasks, each allocating 300
 * blocks of 16 B to 200 KB, handing half of them to other tasks to free and freeing the rest. It
 * stopped in about one run of three: thousands of virtual threads spun on a stripe whose holder
 * was parked on a pool lock. Every block is stamped and checked at its free, and a live table
 * catches a block handed out twice. The surefire execution {@code one-carrier} runs this class
 * again with {@code -Djdk.virtualThreadScheduler.parallelism=1}.
 */
class VirtualThreadChurnTest {
    private static final int TASKS = Integer.getInteger("sliver.churn.tasks", 20_000);
    private static final int BLOCKS_PER_TASK = 300;
    private static final int MAX_SIZE = 200_000;
    private static final int INBOXES = 64;
    private static final Duration LIMIT = Duration.ofSeconds(60);

    @RepeatedTest(3)
    void virtualThreadsAlwaysFinish() throws Exception {
        churn(false);
    }

    @RepeatedTest(3)
    void virtualAndPlatformThreadsMixedAlwaysFinish() throws Exception {
        churn(true);
    }

    private static void churn(boolean mixPlatformThreads) throws Exception {
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().build()) {
            Workload workload = new Workload(allocator);
            Watchdog.run("churn", LIMIT, () -> {
                try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor();
                     ExecutorService platform = Executors.newFixedThreadPool(4)) {
                    List<Future<?>> tasks = new ArrayList<>(TASKS);
                    for (int t = 0; t < TASKS; t++) {
                        int task = t;
                        ExecutorService where = mixPlatformThreads && t % 5 == 0 ? platform : virtual;
                        tasks.add(where.submit(() -> workload.task(task)));
                    }
                    for (Future<?> task : tasks) {
                        task.get(); // rethrows a task's failure
                    }
                }
                return null;
            });
            workload.drain();
            assertTrue(workload.live.isEmpty(), workload.live.size() + " blocks never freed");
            assertEquals((long) TASKS * BLOCKS_PER_TASK, workload.frees.get());
            AllocatorStats stats = allocator.stats();
            assertEquals(0, stats.bytesInUse(), "allocated - freed must be zero at the end: " + stats);
            assertEquals(stats.allocations(), stats.frees());
            assertEquals(0, stats.largeInUse());
        }
    }

    /** Shared state of one run: inboxes of blocks to free on another task, and the live table. */
    private static final class Workload {
        private static final ValueLayout.OfLong STAMP = ValueLayout.JAVA_LONG_UNALIGNED;
        final ThreadCachingAllocator allocator;
        final ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
        final List<ConcurrentLinkedQueue<MemorySegment>> inboxes = new ArrayList<>();
        final AtomicLong frees = new AtomicLong();

        Workload(ThreadCachingAllocator allocator) {
            this.allocator = allocator;
            for (int i = 0; i < INBOXES; i++) {
                inboxes.add(new ConcurrentLinkedQueue<>());
            }
        }

        void task(int task) {
            SplittableRandom random = new SplittableRandom(task * 31L + 7);
            List<MemorySegment> mine = new ArrayList<>(BLOCKS_PER_TASK / 2);
            for (int i = 0; i < BLOCKS_PER_TASK; i++) {
                // Half uniform (mostly large classes, where bundles are short and pools are locked
                // often), half log-uniform (every small class visited).
                long size = random.nextBoolean() ? 16 + random.nextInt(MAX_SIZE - 15)
                        : Math.round(16 * Math.pow(MAX_SIZE / 16.0, random.nextDouble()));
                MemorySegment block = allocator.allocate(size);
                long stamp = ((long) task << 20) | i;
                if (live.put(block.address(), stamp) != null) {
                    throw new AssertionError("block 0x" + Long.toHexString(block.address()) + " handed out twice");
                }
                block.set(STAMP, 0, stamp);
                block.set(STAMP, block.byteSize() - 8, ~stamp);
                if (i % 2 == 0) {
                    inboxes.get(random.nextInt(INBOXES)).add(block);
                } else {
                    mine.add(block);
                }
                MemorySegment other = inboxes.get(random.nextInt(INBOXES)).poll();
                if (other != null) {
                    free(other);
                }
            }
            mine.forEach(this::free);
        }

        void free(MemorySegment block) {
            Long stamp = live.remove(block.address());
            if (stamp == null || block.get(STAMP, 0) != stamp || block.get(STAMP, block.byteSize() - 8) != ~stamp) {
                throw new AssertionError("block 0x" + Long.toHexString(block.address()) + " was reused while live");
            }
            allocator.free(block);
            frees.incrementAndGet();
        }

        void drain() {
            for (ConcurrentLinkedQueue<MemorySegment> inbox : inboxes) {
                for (MemorySegment block; (block = inbox.poll()) != null; ) {
                    free(block);
                }
            }
        }
    }
}
