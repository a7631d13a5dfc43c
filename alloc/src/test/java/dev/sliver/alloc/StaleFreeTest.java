package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A free is accepted only for the very segment {@code allocate} returned, once. The contract
 * suite ({@link ThreadCachingAllocatorContractTest}) checks that for small blocks, copies and
 * racing frees; this is the case particular to this allocator: a stale large segment whose
 * address was mapped again must throw and leave the new owner's block alone.
 */
class StaleFreeTest {
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().maxIdleLargeBytes(0).build();

    @AfterEach
    void close() {
        allocator.close();
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
}
