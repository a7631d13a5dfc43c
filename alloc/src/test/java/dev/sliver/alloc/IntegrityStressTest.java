package dev.sliver.alloc;

import dev.sliver.core.testkit.Watchdog;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Eight threads on two cores allocate random sizes across every class (and some large blocks),
 * stamp each block with a unique pattern, and free 30% of them on another thread. A block handed
 * out twice is caught by the live table and by a damaged pattern; a lost block by the final
 * counts. {@code -Dsliver.stress.ops=100000000} runs the long version.
 */
class IntegrityStressTest {
    private static final long OPS = Long.getLong("sliver.stress.ops", 10_000_000L);
    private static final int THREADS = 8;
    private static final ValueLayout.OfLong STAMP = ValueLayout.JAVA_LONG_UNALIGNED;
    /** Two minutes for the default run, scaled up for the long one. */
    private static final Duration LIMIT = Duration.ofSeconds(Math.max(120, OPS / 100_000));

    @Test
    void noBlockIsHandedOutTwiceOrLost() throws Exception {
        try (ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().pools(4).build()) {
            ConcurrentHashMap<Long, Long> live = new ConcurrentHashMap<>();
            List<ConcurrentLinkedQueue<MemorySegment>> inboxes = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                inboxes.add(new ConcurrentLinkedQueue<>());
            }
            AtomicLong allocations = new AtomicLong();
            AtomicLong frees = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int me = t;
                workers.add(Thread.ofPlatform().name("stress-" + t).start(() -> {
                    try {
                        StampedIndexStackTest.await(start);
                        run(me, allocator, live, inboxes, allocations, frees);
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            start.countDown();
            Watchdog.run("integrity stress", LIMIT, () -> {
                for (Thread t : workers) {
                    t.join();
                }
                return null;
            });
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            for (ConcurrentLinkedQueue<MemorySegment> inbox : inboxes) {
                for (MemorySegment block; (block = inbox.poll()) != null; ) {
                    release(allocator, live, block, frees);
                }
            }
            assertTrue(live.isEmpty(), live.size() + " blocks never freed");
            assertEquals(allocations.get(), frees.get());
            AllocatorStats stats = allocator.stats();
            assertEquals(0, stats.bytesInUse(), "allocated - freed must be zero at the end");
            assertEquals(0, stats.largeInUse());
            assertEquals(stats.allocations(), stats.frees());
            assertTrue(stats.allocations() + allocations.get() / 100 >= allocations.get() * 95 / 100);
        }
    }

    private static void run(int me, ThreadCachingAllocator allocator, ConcurrentHashMap<Long, Long> live,
                            List<ConcurrentLinkedQueue<MemorySegment>> inboxes, AtomicLong allocations, AtomicLong frees) {
        SplittableRandom random = new SplittableRandom(me * 7919L);
        List<MemorySegment> held = new ArrayList<>();
        long opsPerThread = OPS / THREADS;
        long serial = (long) me << 48;
        for (long op = 0; op < opsPerThread; op += 2) {
            if (held.size() < 64 && (held.isEmpty() || random.nextInt(100) < 55)) {
                long size = randomSize(random);
                MemorySegment block = allocator.allocate(size);
                long stamp = ++serial;
                Long previous = live.put(block.address(), stamp);
                if (previous != null) {
                    throw new AssertionError("block 0x" + Long.toHexString(block.address()) + " handed out twice");
                }
                stamp(block, stamp);
                held.add(block);
                allocations.incrementAndGet();
            } else {
                MemorySegment block = held.remove(random.nextInt(held.size()));
                if (random.nextInt(100) < 30) {
                    inboxes.get((me + 1 + random.nextInt(THREADS - 1)) % THREADS).add(block);
                } else {
                    release(allocator, live, block, frees);
                }
            }
            for (MemorySegment block; (block = inboxes.get(me).poll()) != null; ) {
                release(allocator, live, block, frees);
            }
        }
        held.forEach(block -> release(allocator, live, block, frees));
    }

    private static long randomSize(SplittableRandom random) {
        int roll = random.nextInt(1000);
        if (roll == 0) {
            return 256 * 1024 + random.nextInt(1 << 20); // large
        }
        int cls = random.nextInt(SizeClasses.count());
        int max = SizeClasses.size(cls);
        int min = cls == 0 ? 0 : SizeClasses.size(cls - 1) + 1;
        return min + random.nextInt(max - min + 1);
    }

    private static void stamp(MemorySegment block, long stamp) {
        if (block.byteSize() >= 8) {
            block.set(STAMP, 0, stamp);
        }
        if (block.byteSize() >= 16) {
            block.set(STAMP, block.byteSize() - 8, ~stamp);
        }
    }

    private static void release(ThreadCachingAllocator allocator, ConcurrentHashMap<Long, Long> live,
                                MemorySegment block, AtomicLong frees) {
        Long stamp = live.remove(block.address());
        if (stamp == null) {
            throw new AssertionError("block 0x" + Long.toHexString(block.address()) + " not live");
        }
        if ((block.byteSize() >= 8 && block.get(STAMP, 0) != stamp)
                || (block.byteSize() >= 16 && block.get(STAMP, block.byteSize() - 8) != ~stamp)) {
            throw new AssertionError("block 0x" + Long.toHexString(block.address()) + " was written by another owner");
        }
        allocator.free(block);
        frees.incrementAndGet();
    }
}
