package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.Slice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A blob larger than 2 GiB goes through every chunking loop: RecordWriter.add(MemorySegment) and
 * the gathering write (1 GiB buffers), RecordReader's read loop from a stream (1 GiB reads), and
 * Slice.writeTo. Marker bytes on both sides of each 1 GiB boundary must come back in place.
 */
class LargeRecordTest {
    private static final long BLOB = (9L << 30) / 4; // 2.25 GiB: three 1 GiB chunks
    private static final long[] MARKS = {0, (1L << 30) - 1, 1L << 30, (2L << 30) - 1, 2L << 30, BLOB - 1};

    @Test
    void aBlobOver2GiBRoundTripsThroughAChannelAndAStream(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("sparse");
        try (RandomAccessFile raf = new RandomAccessFile(input.toFile(), "rw")) {
            raf.setLength(BLOB);
            for (int i = 0; i < MARKS.length; i++) {
                raf.seek(MARKS[i]);
                raf.write(0x40 + i);
            }
        }
        Path record = dir.resolve("big.strg");
        try (Arena arena = Arena.ofConfined(); FileChannel in = FileChannel.open(input, StandardOpenOption.READ)) {
            MemorySegment mapped = in.map(FileChannel.MapMode.READ_ONLY, 0, BLOB, arena);
            Codec.write(record, List.of(new byte[] {1, 2, 3}));
            try (FileChannel out = FileChannel.open(record, StandardOpenOption.WRITE)) {
                assertEquals(8 + 8 + 16 + BLOB + 1, new RecordWriter().add(java.nio.ByteBuffer.wrap(new byte[] {9})).add(mapped)
                        .appendTo(out, record));
            }
        }
        ReadOptions options = ReadOptions.defaults().withAllocator(ThreadCachingAllocator.shared()).withMaxRecordBytes(3L << 30);
        try (FileInputStream stream = new FileInputStream(record.toFile());
             RecordReader reader = new RecordReader(Channels.newChannel(stream), "stream", options)) {
            reader.next().close(); // the small first record
            try (Batch batch = reader.next()) {
                assertEquals(2, batch.size());
                Slice big = batch.get(1);
                assertEquals(BLOB, big.length());
                for (int i = 0; i < MARKS.length; i++) {
                    assertEquals(0x40 + i, big.get(MARKS[i]), "byte " + MARKS[i]);
                }
                long[] at = {0};
                int[] seen = {0};
                long written = big.writeTo(new java.nio.channels.WritableByteChannel() { // checks bytes as they pass
                    public int write(java.nio.ByteBuffer src) {
                        int n = Math.min(src.remaining(), 64 << 20);
                        for (int i = 0; i < MARKS.length; i++) {
                            if (MARKS[i] >= at[0] && MARKS[i] < at[0] + n) {
                                assertEquals(0x40 + i, src.get(src.position() + (int) (MARKS[i] - at[0])), "written byte " + MARKS[i]);
                                seen[0]++;
                            }
                        }
                        src.position(src.position() + n);
                        at[0] += n;
                        return n;
                    }

                    public boolean isOpen() {
                        return true;
                    }

                    public void close() {
                    }
                });
                assertEquals(BLOB, written);
                assertEquals(MARKS.length, seen[0], "every marker went out, in place");
            }
            assertNull(reader.next(), "a clean end after the last record");
        }
    }
}
