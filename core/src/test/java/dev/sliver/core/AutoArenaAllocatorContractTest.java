package dev.sliver.core;

import dev.sliver.core.testkit.MemoryAllocatorContractTest;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The allocator contract over {@link AutoArenaAllocator}, which keys live blocks by address: it
 * cannot tell a foreign segment or an inner slice from a freed block, nor a same-size copy of a
 * segment from the segment itself.
 */
class AutoArenaAllocatorContractTest extends MemoryAllocatorContractTest {
    @Override
    protected MemoryAllocator newAllocator() {
        return new AutoArenaAllocator();
    }

    @Override
    protected void assertAllFreed(MemoryAllocator allocator) {
        assertEquals(0, ((AutoArenaAllocator) allocator).liveBlocks());
    }

    @Override
    protected boolean zeroesEveryBlock() {
        return true; // Arena memory is zeroed
    }

    @Override
    protected boolean onlyTheVerySegmentFrees() {
        return false;
    }

    @Override
    protected Class<? extends RuntimeException> notHandedOutHere() {
        return IllegalStateException.class; // "not live in this allocator (double free, or not allocated here)"
    }

    @Override
    protected String staleFreeBeginsWith() {
        return "free of a segment that is not live";
    }

    @Override
    protected boolean namesAnImpossibleSize() {
        return false; // Arena.allocate's OutOfMemoryError has no message for Long.MAX_VALUE
    }
}
