package dev.sliver.alloc;

import dev.sliver.alloc.blocks.Blocks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One block alternating door and public holds, across threads and the door's slow path
 * ({@code moveToDoor}): no door byte or slot is ever left stale, so each kind of free accepts its
 * own holder once and rejects the other's.
 */
class DoorReuseTest {
    private final ThreadCachingAllocator allocator = ThreadCachingAllocator.builder().build();

    @AfterEach
    void close() {
        allocator.close();
    }

    @Test
    void doorThenPublicThenDoorOfOneBlock() throws Exception {
        for (int round = 0; round < 50; round++) {
            BlockDoorTest.Held a = BlockDoorTest.door(allocator, 64);
            long address = a.address();
            Blocks.free(allocator, a.chunk, a.offset);
            MemorySegment s = allocator.allocate(64);
            assertEquals(address, s.address(), "the door-freed block comes back as a segment");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Blocks.free(allocator, a.chunk, a.offset));
            assertTrue(e.getMessage().contains("held as a segment"), e.getMessage());
            allocator.free(s);
            BlockDoorTest.Held b = BlockDoorTest.door(allocator, 64);
            assertEquals(address, b.address());
            e = assertThrows(IllegalStateException.class, () -> allocator.free(s));
            assertTrue(e.getMessage().contains("held by a Sliver ByteBuf"), e.getMessage());
            // freed on another thread (virtual: the stripes), then the public path and the door's slow path reuse it
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    Blocks.free(allocator, b.chunk, b.offset);
                    assertThrows(IllegalStateException.class, () -> Blocks.free(allocator, b.chunk, b.offset));
                    BlockDoorTest.Held c = BlockDoorTest.door(allocator, 64); // slow path: moveToDoor
                    assertThrows(IllegalStateException.class, () -> allocator.free(c.chunk.asSlice(c.offset, 64)));
                    Blocks.free(allocator, c.chunk, c.offset);
                    assertThrows(IllegalStateException.class, () -> Blocks.free(allocator, c.chunk, c.offset));
                    MemorySegment d = allocator.allocate(64);
                    allocator.free(d);
                    assertThrows(IllegalStateException.class, () -> allocator.free(d));
                } catch (Throwable x) {
                    failed.set(x);
                }
            });
            t.join();
            if (failed.get() != null) {
                throw new AssertionError(failed.get());
            }
        }
    }
}
