package dev.sliver.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The counts of {@link CountingAllocator} themselves, and what it says of itself; the allocator
 * contract it keeps is {@link CountingAllocatorContractTest}.
 */
class CountingAllocatorTest {
    private final AutoArenaAllocator delegate = new AutoArenaAllocator();
    private final CountingAllocator counting = new CountingAllocator(delegate);

    @Test
    void countsOutstandingSegmentsAndBytesAndEveryAllocation() {
        MemorySegment a = counting.allocate(10);
        MemorySegment b = counting.allocate(100, 16);
        assertEquals(2, counting.outstandingSegments());
        assertEquals(110, counting.outstandingBytes());
        assertEquals(2, counting.totalAllocations());
        assertEquals("CountingAllocator[AutoArenaAllocator[live=2], outstanding=2 segments / 110 bytes]", counting.toString());
        counting.free(a);
        assertEquals(1, counting.outstandingSegments());
        assertEquals(100, counting.outstandingBytes());
        assertEquals(2, counting.totalAllocations(), "frees do not lower the total");
        counting.free(b);
        counting.free(counting.allocate(0));
        assertEquals(0, counting.outstandingSegments());
        assertEquals(0, counting.outstandingBytes());
        assertEquals(3, counting.totalAllocations());
        assertEquals("CountingAllocator[AutoArenaAllocator[live=0], outstanding=0 segments / 0 bytes]", counting.toString());
    }

    @Test
    void aRejectedFreeIsNotCounted() {
        MemorySegment a = counting.allocate(10);
        counting.free(a);
        assertThrows(IllegalStateException.class, () -> counting.free(a));
        assertThrows(IllegalArgumentException.class, () -> counting.allocate(-1));
        assertEquals(0, counting.outstandingSegments());
        assertEquals(0, counting.outstandingBytes());
        assertEquals(1, counting.totalAllocations());
        assertEquals(0, delegate.liveBlocks());
    }

    @Test
    void theDelegateIsRequired() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new CountingAllocator(null));
        assertEquals("delegate", e.getMessage());
    }
}
