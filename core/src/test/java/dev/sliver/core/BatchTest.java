package dev.sliver.core;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BatchTest {
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final CountingAllocator allocator = new CountingAllocator(new AutoArenaAllocator());

    /** A batch of blobs {1,2,3}, {}, {4,5}: ends table and payload in one block, as the codec lays them out. */
    private Batch batch() {
        MemorySegment block = allocator.allocate(3 * 8 + 5);
        block.set(U64, 0, 3);
        block.set(U64, 8, 3);
        block.set(U64, 16, 5);
        MemorySegment.copy(new byte[] {1, 2, 3, 4, 5}, 0, block, ValueLayout.JAVA_BYTE, 24, 5);
        Slice payload = Slice.wrap(block.asSlice(24), () -> allocator.free(block));
        return Batch.of(payload, block.asSlice(0, 24));
    }

    @Test
    void exposesLengthsAndViews() {
        try (Batch b = batch()) {
            assertEquals(3, b.size());
            assertEquals(5, b.totalBytes());
            assertEquals(3, b.length(0));
            assertEquals(0, b.length(1));
            assertEquals(2, b.length(2));
            assertArrayEquals(new byte[] {4, 5}, b.get(2).toByteArray());
            List<byte[]> seen = new ArrayList<>();
            for (Slice s : b) {
                seen.add(s.toByteArray());
            }
            assertEquals(3, seen.size());
            assertArrayEquals(new byte[] {1, 2, 3}, seen.get(0));
            assertArrayEquals(new byte[0], seen.get(1));
            assertThrows(IndexOutOfBoundsException.class, () -> b.get(3));
            assertThrows(IndexOutOfBoundsException.class, () -> b.length(-1));
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void borrowedViewsDieWithTheBatchUnlessRetained() {
        Batch b = batch();
        Slice borrowed = b.get(0);
        Slice kept = b.get(2).retain();
        IllegalStateException notOwned = assertThrows(IllegalStateException.class, borrowed::close);
        assertTrue(notOwned.getMessage().contains("borrowed"), notOwned.getMessage());
        b.close();
        assertFalse(b.isOpen());
        assertThrows(IllegalStateException.class, () -> borrowed.get(0));
        assertThrows(IllegalStateException.class, borrowed::retain);
        assertThrows(IllegalStateException.class, () -> b.get(0));
        assertThrows(IllegalStateException.class, b::close, "double close is a double release");
        assertEquals(1, allocator.outstandingSegments(), "the retained view holds the record");
        assertArrayEquals(new byte[] {4, 5}, kept.toByteArray());
        kept.release();
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void aCorruptEndTableGivesBoundsErrorsNotCrashes() {
        MemorySegment block = allocator.allocate(16 + 4);
        block.set(U64, 0, 9);   // beyond the 4-byte payload
        block.set(U64, 8, 2);   // goes backwards
        try (Batch b = Batch.of(Slice.wrap(block.asSlice(16), () -> allocator.free(block)), block.asSlice(0, 16))) {
            assertThrows(IndexOutOfBoundsException.class, () -> b.get(0));
            assertThrows(IndexOutOfBoundsException.class, () -> b.get(1));
        }
        assertEquals(0, allocator.outstandingSegments());
    }
}
