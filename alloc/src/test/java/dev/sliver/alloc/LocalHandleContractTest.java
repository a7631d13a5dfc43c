package dev.sliver.alloc;

import dev.sliver.core.MemoryAllocator;
import dev.sliver.core.testkit.MemoryAllocatorContractTest;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The allocator contract over a {@link LocalHandle}, made on the test's thread: the same promises
 * as its {@link ThreadCachingAllocator}, whose close ends the handle too. (The handle offers no
 * zeroed allocation of its own; the suite zeroes as any caller of the SPI would.)
 */
class LocalHandleContractTest extends MemoryAllocatorContractTest {
    private final Map<MemoryAllocator, ThreadCachingAllocator> behind = new IdentityHashMap<>();

    @Override
    protected MemoryAllocator newAllocator() {
        ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().name("local-test").build();
        LocalHandle local = allocator.local();
        behind.put(local, allocator);
        return local;
    }

    @Override
    protected void close(MemoryAllocator local) {
        behind.get(local).close();
    }

    @Override
    protected void assertAllFreed(MemoryAllocator local) {
        ThreadCachingAllocatorContractTest.assertAllFreed(behind.get(local).stats());
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
    protected boolean reusesAFreedBlockAtOnce() {
        return true;
    }

    @Override
    protected Class<? extends RuntimeException> doubleFreeOfALargeBlock() {
        return IllegalArgumentException.class; // as ThreadCachingAllocatorContractTest says
    }
}
