package dev.sliver.alloc;

import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.testkit.MemoryAllocatorContractTest;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The allocator contract over {@link ThreadCachingAllocator}. */
class ThreadCachingAllocatorContractTest extends MemoryAllocatorContractTest {
    @Override
    protected MemoryAllocator newAllocator() {
        return ThreadCachingAllocator.builder().pools(2).build();
    }

    @Override
    protected void close(MemoryAllocator allocator) {
        ((ThreadCachingAllocator) allocator).close();
    }

    @Override
    protected void assertAllFreed(MemoryAllocator allocator) {
        assertAllFreed(((ThreadCachingAllocator) allocator).stats());
    }

    /** Nothing in use, small or large, and as many frees as allocations. */
    static void assertAllFreed(AllocatorStats stats) {
        assertEquals(0, stats.bytesInUse());
        assertEquals(stats.allocations(), stats.frees());
        assertEquals(0, stats.largeInUse());
    }

    @Override
    protected boolean closes() {
        return true;
    }

    @Override
    protected long minimumAlignment() {
        return 16;
    }

    @Override
    protected MemorySegment allocateZeroed(MemoryAllocator allocator, long byteSize, long alignment) {
        return ((ThreadCachingAllocator) allocator).allocateZeroed(byteSize, alignment);
    }

    @Override
    protected boolean reusesAFreedBlockAtOnce() {
        return true; // the thread cache is a LIFO
    }

    @Override
    protected Class<? extends RuntimeException> doubleFreeOfALargeBlock() {
        // A large block leaves the live table at its free, so a second free finds no block of
        // this allocator there: "did not hand out, or that was already freed".
        return IllegalArgumentException.class;
    }
}
