package dev.sliver.alloc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ThreadCachingAllocator#local()}: fast on its thread, and never wrong on any other. The
 * allocator contract, misuse and close included, is {@link LocalHandleContractTest}.
 */
class LocalHandleTest {
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().name("local-test").build();

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void blocksMoveFreelyBetweenTheHandleAndTheAllocator() {
        LocalHandle local = allocator.local();
        MemorySegment a = local.allocate(100);
        MemorySegment b = allocator.allocate(100);
        assertEquals(100, a.byteSize());
        a.set(ValueLayout.JAVA_LONG_UNALIGNED, 92, 7L);
        allocator.free(a);
        local.free(b);
        MemorySegment large = local.allocate(1 << 20); // above the large threshold: the allocator's path
        local.free(large);
        MemorySegment aligned = local.allocate(100, 4096);
        assertEquals(0, aligned.address() % 4096);
        local.free(aligned);
        assertEquals(0, allocator.stats().bytesInUse());
    }

    @Test
    void onAnotherThreadTheHandleTakesTheAllocatorsPath() throws Exception {
        LocalHandle local = allocator.local();
        MemorySegment mine = local.allocate(200);
        MemorySegment theirs = CompletableFuture.supplyAsync(() -> {
            local.free(mine); // another thread's free through the handle: fine
            return local.allocate(300);
        }).get(30, TimeUnit.SECONDS);
        Thread.ofVirtual().start(() -> local.free(theirs)).join();
        LocalHandle[] fromVirtual = new LocalHandle[1];
        Thread.ofVirtual().start(() -> {
            fromVirtual[0] = allocator.local();
            fromVirtual[0].free(fromVirtual[0].allocate(64));
        }).join();
        fromVirtual[0].free(fromVirtual[0].allocate(64));
        assertEquals(0, allocator.stats().bytesInUse());
    }

    @Test
    void aHandleOutlivesItsThread() throws Exception {
        LocalHandle[] handle = new LocalHandle[1];
        MemorySegment[] block = new MemorySegment[1];
        Thread maker = Thread.ofPlatform().start(() -> {
            handle[0] = allocator.local();
            block[0] = handle[0].allocate(64);
        });
        maker.join();
        allocator.reapDeadThreads(); // the dead thread's cache went back to the central cache
        handle[0].free(block[0]);
        handle[0].free(handle[0].allocate(64));
        assertEquals(0, allocator.stats().bytesInUse());
    }

    @Test
    void aHandleNamesItsAllocatorAndThread() throws Exception {
        assertEquals("LocalHandle[local-test, " + Thread.currentThread().getName() + "]", allocator.local().toString());
        LocalHandle[] fromVirtual = new LocalHandle[1];
        Thread.ofVirtual().start(() -> fromVirtual[0] = allocator.local()).join();
        assertEquals("LocalHandle[local-test, no thread]", fromVirtual[0].toString());
    }

    @Test
    void onItsThreadTheHandleUsesTheThreadsCache() {
        LocalHandle local = allocator.local();
        MemorySegment a = local.allocate(64);
        local.free(a);
        MemorySegment b = allocator.allocate(64);
        assertEquals(a.address(), b.address(), "the handle freed into the cache the allocator takes from");
        allocator.free(b);
        MemorySegment c = local.allocate(64);
        assertEquals(a.address(), c.address());
        local.free(c);
        assertEquals(1, allocator.stats().threadCaches(), "one cache, shared by the handle and the allocator");
        assertEquals(0, allocator.stats().bytesInUse());
    }

    @Test
    void aClosedAllocatorsHandleRefusesAsTheAllocatorDoes() {
        LocalHandle local = allocator.local();
        MemorySegment block = local.allocate(64);
        allocator.close();
        assertEquals("allocator local-test is closed", assertThrows(IllegalStateException.class, () -> local.allocate(64)).getMessage());
        assertEquals("allocator local-test is closed", assertThrows(IllegalStateException.class, () -> local.free(block)).getMessage());
    }

    @Test
    void onAnotherThreadTheHandleLeavesItsThreadsCacheAlone() throws Exception {
        LocalHandle local = allocator.local();
        MemorySegment mine = local.allocate(64);
        local.free(mine); // the top of this thread's cache
        MemorySegment theirs = CompletableFuture.supplyAsync(() -> {
            MemorySegment block = local.allocate(64);
            MemorySegment other = local.allocate(64);
            local.free(other); // into that thread's cache, not this one's
            return block;
        }).get(30, TimeUnit.SECONDS);
        assertNotEquals(mine.address(), theirs.address(), "the other thread did not take from this thread's cache");
        MemorySegment again = local.allocate(64);
        assertEquals(mine.address(), again.address(), "this thread's cache is as it left it");
        local.free(again);
        local.free(theirs);
    }
}
