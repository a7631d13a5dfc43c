package dev.sliver.codec;

import dev.sliver.core.AutoArenaAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sliver.codec.Records.words;
import static org.junit.jupiter.api.Assertions.*;

class CodecMapTest {
    private final CountingAllocator allocator = new CountingAllocator(new AutoArenaAllocator());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(allocator);

    @Test
    void mapsARecordLargerThan2GiBWithoutTouchingIt(@TempDir Path dir) throws Exception {
        long blob = 3L << 30;
        Path file = dir.resolve("big.strg");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(words(8 + 16 + blob, 2, 7, blob - 7));
            raf.setLength(32 + blob); // sparse
            raf.seek(32 + blob - 1);
            raf.write(0x5A);
        }
        MemorySegment tail;
        try (Batch batch = Codec.map(file, options)) {
            assertEquals(2, batch.size());
            assertEquals(blob - 7, batch.length(1));
            assertEquals(blob, batch.totalBytes());
            Slice big = batch.get(1);
            assertEquals(0x5A, big.get(big.length() - 1));
            assertThrows(IllegalStateException.class, big::asByteBuffer);
            tail = big.asSegment();
            assertEquals(1, allocator.outstandingSegments(), "only the offset table comes from the allocator");
        }
        assertEquals(0, allocator.outstandingSegments());
        assertThrows(IllegalStateException.class, () -> tail.get(ValueLayout.JAVA_BYTE, 0),
                "the mapping is closed: access throws, never crashes");
    }

    @Test
    void aRetainedViewKeepsTheMappingOpen(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("small.strg");
        Codec.write(file, java.util.List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        Slice kept;
        try (Batch batch = Codec.map(file, options)) {
            kept = batch.get(1).retain();
        }
        assertArrayEquals(new byte[] {4, 5}, kept.toByteArray());
        kept.release();
        assertEquals(0, allocator.outstandingSegments());
        assertTrue(Files.size(file) > 0);
    }
}
