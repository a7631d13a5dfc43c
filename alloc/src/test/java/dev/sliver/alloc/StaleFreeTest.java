package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A free is accepted only for the very segment {@code allocate} returned, once: a second free
 * after the block was handed out again, a re-sliced copy, or a stale large segment whose address
 * was mapped again must all throw and leave the new owner's block alone.
 */
class StaleFreeTest {
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().maxIdleLargeBytes(0).build();

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void aSecondFreeAfterTheBlockWasReusedIsRejected() {
        MemorySegment a = allocator.allocate(64);
        allocator.free(a);
        MemorySegment b = allocator.allocate(64);
        assertEquals(a.address(), b.address(), "LIFO reuse: b is a's block (else this test proves nothing)");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.free(a));
        assertTrue(e.getMessage().startsWith("stale free"), e.getMessage());
        MemorySegment c = allocator.allocate(64);
        assertNotEquals(b.address(), c.address(), "the stale free must not have put b's block back");
        allocator.free(b);
        allocator.free(c);
        assertEquals(0, allocator.stats().bytesInUse());
    }

    @Test
    void aStaleLargeFreeDoesNotUnmapTheNewOwnersBlock() {
        int rounds = 0;
        for (int i = 0; i < 50; i++) {
            MemorySegment a = allocator.allocate(1 << 20);
            allocator.free(a); // idle cap 0: unmapped at once
            MemorySegment b = allocator.allocate(1 << 20);
            b.set(ValueLayout.JAVA_LONG, 0, 42);
            if (a.address() == b.address()) {
                rounds++;
            }
            assertThrows(IllegalStateException.class, () -> allocator.free(a));
            assertEquals(42, b.get(ValueLayout.JAVA_LONG, 0), "b is still mapped and intact");
            allocator.free(b);
        }
        assertEquals(0, allocator.stats().largeInUse());
        System.out.println("stale large frees at a reused address: " + rounds + " of 50");
    }

    @Test
    void slicesAndCopiesOfABlockCannotFreeIt() {
        MemorySegment d = allocator.allocate(100);
        assertThrows(IllegalArgumentException.class, () -> allocator.free(d.asSlice(0, 98)));
        IllegalStateException copy = assertThrows(IllegalStateException.class, () -> allocator.free(d.asSlice(0)));
        assertTrue(copy.getMessage().contains("asSlice"), copy.getMessage());
        assertThrows(IllegalStateException.class, () -> allocator.free(d.asReadOnly()));
        allocator.free(d); // the real one still works
        assertThrows(IllegalStateException.class, () -> allocator.free(d));
    }

    @Test
    void racingFreesOfOneSegmentFreeItOnce() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            MemorySegment block = allocator.allocate(256);
            AtomicInteger won = new AtomicInteger();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    StampedIndexStackTest.await(go);
                    try {
                        allocator.free(block);
                        won.incrementAndGet();
                    } catch (IllegalStateException expected) {
                        // the losers
                    }
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(10));
            }
            assertEquals(1, won.get(), "round " + round);
        }
        assertEquals(0, allocator.stats().bytesInUse());
    }

    @Test
    void hugeRequestsFailNamingTheRequestedSize() {
        OutOfMemoryError e = assertThrows(OutOfMemoryError.class, () -> allocator.allocate(Long.MAX_VALUE));
        assertTrue(e.getMessage().contains(String.valueOf(Long.MAX_VALUE)), e.getMessage());
        assertThrows(OutOfMemoryError.class, () -> allocator.allocate(Long.MAX_VALUE - 100, 4096));
        assertEquals(0, allocator.stats().largeInUse());
    }
}
