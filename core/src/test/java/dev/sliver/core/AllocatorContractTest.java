package dev.sliver.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.*;

class AllocatorContractTest {
    @Test
    void autoArenaAllocatorRejectsMisuse() {
        AutoArenaAllocator allocator = new AutoArenaAllocator();
        MemorySegment block = allocator.allocate(100, 64);
        assertEquals(0, block.address() % 64);
        assertEquals(100, block.byteSize());
        assertThrows(IllegalArgumentException.class, () -> allocator.free(block.asSlice(0, 50)));
        assertThrows(IllegalStateException.class, () -> allocator.free(Arena.ofAuto().allocate(8)));
        allocator.free(block);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> allocator.free(block));
        assertTrue(e.getMessage().contains("double free"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(-1, 8));
        assertThrows(IllegalArgumentException.class, () -> allocator.allocate(8, 3));
        assertEquals(0, allocator.liveBlocks());
    }

    @Test
    void zeroLengthBlocksAreDistinct() {
        AutoArenaAllocator allocator = new AutoArenaAllocator();
        MemorySegment a = allocator.allocate(0, 8);
        MemorySegment b = allocator.allocate(0, 8);
        assertNotEquals(a.address(), b.address());
        allocator.free(a);
        allocator.free(b);
    }
}
