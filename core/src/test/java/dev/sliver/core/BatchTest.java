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

    @Test
    void aClosedBatchRefusesEveryAccessAndSaysSo() {
        Batch b = batch();
        assertEquals("Batch[blobs=3, bytes=5]", b.toString());
        b.close();
        assertEquals("Batch[blobs=3, bytes=5, closed]", b.toString());
        assertThrows(IllegalStateException.class, b::totalBytes);
        assertThrows(IllegalStateException.class, () -> b.length(0), "the end table may be gone with the payload");
        assertThrows(IllegalStateException.class, () -> b.length(2));
        IllegalStateException twice = assertThrows(IllegalStateException.class, b::close);
        assertEquals("batch of 3 blobs (5 bytes) is closed", twice.getMessage());
        assertEquals(3, b.size(), "the blob count is the batch's own, not the payload's");
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void anExhaustedIteratorThrowsNoSuchElement() {
        try (Batch b = batch()) {
            java.util.Iterator<Slice> it = b.iterator();
            for (int i = 0; i < 3; i++) {
                assertTrue(it.hasNext());
                assertEquals(b.length(i), it.next().length());
            }
            assertFalse(it.hasNext());
            assertThrows(java.util.NoSuchElementException.class, it::next);
        }
    }

    @Test
    void theEndTableMustBeWholeU64Entries() {
        try (Slice payload = Slice.copyOf(new byte[4], allocator)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Batch.of(payload, MemorySegment.ofArray(new byte[12])));
            assertTrue(e.getMessage().startsWith("end-offset table of 12 bytes is not a whole number of u64 entries"), e.getMessage());
            try (Batch empty = Batch.of(payload.retain(), MemorySegment.ofArray(new byte[0]))) {
                assertEquals(0, empty.size());
            }
        }
    }

    /**
     * Up to Integer.MAX_VALUE entries are accepted and one more is refused. The tables are a sparse
     * file mapped read-only: 16 GiB of address space, nothing read.
     */
    @Test
    void anEndTableOfIntegerMaxValueEntriesIsTheLargest(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path sparse = dir.resolve("ends");
        long largest = (long) Integer.MAX_VALUE * Long.BYTES;
        try (var raf = new java.io.RandomAccessFile(sparse.toFile(), "rw")) {
            raf.setLength(largest + Long.BYTES);
        }
        try (var arena = java.lang.foreign.Arena.ofConfined();
             var ch = java.nio.channels.FileChannel.open(sparse);
             Slice payload = Slice.copyOf(new byte[4], allocator)) {
            // The batches are dropped unclosed: the try releases the one payload reference they share.
            MemorySegment ends = ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, largest + Long.BYTES, arena);
            assertEquals(Integer.MAX_VALUE, Batch.of(payload, ends.asSlice(0, largest)).size());
            assertEquals(1 << 28, Batch.of(payload, ends.asSlice(0, (1L << 28) * Long.BYTES)).size());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Batch.of(payload, ends));
            assertTrue(e.getMessage().contains("at most Integer.MAX_VALUE entries"), e.getMessage());
        }
        assertEquals(0, allocator.outstandingSegments());
    }
}
