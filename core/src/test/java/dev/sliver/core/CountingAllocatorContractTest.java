package dev.sliver.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The allocator contract over {@link CountingAllocator}, decorating an {@link AutoArenaAllocator}:
 * it keeps its delegate's promises, and its counts return to zero.
 */
class CountingAllocatorContractTest extends AutoArenaAllocatorContractTest {
    @Override
    protected MemoryAllocator newAllocator() {
        return new CountingAllocator(new AutoArenaAllocator());
    }

    @Override
    protected void assertAllFreed(MemoryAllocator allocator) {
        CountingAllocator counting = (CountingAllocator) allocator;
        assertEquals(0, counting.outstandingSegments());
        assertEquals(0, counting.outstandingBytes());
    }
}
