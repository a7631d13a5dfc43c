package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CountingAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MAP's get turns a record's lengths into end offsets in a table of the batch's own: heap or allocator by size. */
class MappedEndTableTest {
    @TempDir
    Path dir;
    private final CountingAllocator counting = new CountingAllocator(ThreadCachingAllocator.shared());

    private static List<byte[]> blobs(int count) {
        List<byte[]> blobs = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            blobs.add(new byte[] {(byte) b, (byte) (b >>> 8), (byte) (b % 3)}); // three sizes: ends that differ
        }
        for (int b = 0; b < count; b += 7) {
            blobs.set(b, new byte[b % 5]); // empty blobs among them
        }
        return blobs;
    }

    @Test
    void eachTableSizeComesBackBlobForBlobAndATableOffTheHeapGoesBackToTheAllocator() throws Exception {
        Path file = dir.resolve("log.strg");
        int[] counts = {0, 1, MappedRecordFile.HEAP_TABLE_BLOBS, MappedRecordFile.HEAP_TABLE_BLOBS + 1, 20_000};
        for (int count : counts) {
            Codec.write(file, blobs(count));
        }
        try (RecordFile records = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults().withAllocator(counting))) {
            for (int r = 0; r < counts.length; r++) {
                List<byte[]> expected = blobs(counts[r]);
                try (Batch batch = records.get(r)) {
                    assertEquals(counts[r] > MappedRecordFile.HEAP_TABLE_BLOBS ? 1 : 0, counting.outstandingSegments(),
                            counts[r] + " blobs: only a large table comes from the allocator");
                    assertEquals(expected.size(), batch.size());
                    for (int b = 0; b < expected.size(); b++) {
                        assertArrayEquals(expected.get(b), batch.get(b).toByteArray(), counts[r] + " blobs, blob " + b);
                    }
                }
                assertEquals(0, counting.outstandingSegments(), "closing the batch gave its table back");
            }
        }
    }

    /**
     * A large record whose lengths were damaged after the sidecar vouched for it (MAP's open reads
     * only its total_length): get fails naming it (an UncheckedIOException, as documented), and gives the table it took back to the allocator.
     */
    @Test
    void aDamagedLargeRecordFailsAndGivesItsTableBack() throws Exception {
        Path file = dir.resolve("log.strg");
        int count = MappedRecordFile.HEAP_TABLE_BLOBS + 1;
        long at;
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            appender.append(List.of(new byte[] {1}));
            at = appender.append(blobs(count)).offset(); // between the ends, which a MAP open from the sidecar checks whole
            appender.append(List.of(new byte[] {2}));
        }
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap(Records.words(1)), at + 16 + 8L * (count - 1)); // the last length: 1, not 3
        }
        try (RecordFile records = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults().withAllocator(counting))) {
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> records.get(1));
            assertTrue(e.getCause() instanceof dev.sliver.core.CorruptRecordException, e.toString());
            assertTrue(e.getCause().getMessage().startsWith(file.toString()), e.getCause().getMessage());
            assertTrue(e.getCause().getMessage().contains("lengths sum to"), e.getCause().getMessage());
            assertEquals(0, counting.outstandingSegments(), "the failed get gave its table back");
        }
    }
}
