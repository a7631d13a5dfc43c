package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.sliver.codec.Records.concat;
import static dev.sliver.codec.Records.words;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Sources whose size cannot be trusted (files in /proc and devices report 0, a FIFO cannot seek)
 * are read as streams, capped by {@link ReadOptions#maxRecordBytes()}: a header that lies costs
 * nothing, and every failure is a {@link CorruptRecordException} naming the source and offset.
 */
class UnsizedSourceTest {
    private final CountingAllocator allocator = new CountingAllocator(ThreadCachingAllocator.shared());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(allocator);

    /** A seekable channel over bytes whose size() says 0, as /proc files and character devices do. */
    private static SeekableByteChannel sizeSaysZero(byte[] bytes) {
        ByteBuffer data = ByteBuffer.wrap(bytes);
        return new SeekableByteChannel() {
            public int read(ByteBuffer dst) {
                if (!data.hasRemaining()) {
                    return -1;
                }
                int n = Math.min(dst.remaining(), data.remaining());
                dst.put(data.slice(data.position(), n));
                data.position(data.position() + n);
                return n;
            }

            public int write(ByteBuffer src) {
                throw new UnsupportedOperationException();
            }

            public long position() {
                return data.position();
            }

            public SeekableByteChannel position(long p) {
                data.position((int) p);
                return this;
            }

            public long size() {
                return 0;
            }

            public SeekableByteChannel truncate(long size) {
                throw new UnsupportedOperationException();
            }

            public boolean isOpen() {
                return true;
            }

            public void close() {
            }

            @Override
            public String toString() {
                return "zero-size-channel";
            }
        };
    }

    @Test
    void aHeaderThatLiesIsCheckedAgainstTheCapBeforeAnythingIsAllocated() {
        for (long total : new long[] {4L << 30, 1L << 50, Long.MIN_VALUE, -16, -1}) {
            CorruptRecordException e = assertThrows(CorruptRecordException.class,
                    () -> Codec.deserialize(sizeSaysZero(words(total, 1, 0)), options));
            assertEquals("stream: total_length " + Long.toUnsignedString(total) + " exceeds the limit of "
                    + ReadOptions.DEFAULT_MAX_RECORD_BYTES + " bytes (ReadOptions.maxRecordBytes) at byte 0", e.getMessage());
        }
        assertEquals(0, allocator.totalAllocations(), "nothing was allocated");
    }

    @Test
    void aValidRecordFromAZeroSizeSourceIsReadAsAStream() throws Exception {
        byte[] record = Records.serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4}));
        try (Batch batch = Codec.deserialize(sizeSaysZero(concat(record, record)), options)) {
            assertEquals(List.of(3L, 1L), List.of(batch.length(0), batch.length(1)));
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void theCapAppliesToFilesToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.strg");
        Codec.write(file, List.of(new byte[1000]));
        ReadOptions small = options.withMaxRecordBytes(100);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(file, small));
        assertEquals(file + ": total_length 1016 exceeds the limit of 100 bytes (ReadOptions.maxRecordBytes) at byte 0", e.getMessage());
        assertEquals(0, allocator.totalAllocations());
    }

    @Test
    void aProcFileIsReadAsAStreamAndRejectedWithItsName() {
        Path proc = Path.of("/proc/self/status");
        if (!Files.isReadable(proc)) {
            return; // not Linux: nothing to check here (the zero-size channel above covers the logic)
        }
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(proc, options));
        assertTrue(e.getMessage().startsWith(proc + ": total_length "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(ReadOptions.maxRecordBytes) at byte 0"), e.getMessage());
        assertEquals(0, allocator.totalAllocations());
    }

    @Test
    void aFifoIsReadAsAStream(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        } catch (IOException noMkfifo) {
            return; // no mkfifo on this OS
        }
        assertEquals(0, mkfifo.waitFor());
        byte[] record = Records.serialize(List.of("through a pipe".getBytes()));
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                Files.write(fifo, record);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (Batch batch = Codec.deserialize(fifo, options)) {
            assertEquals("through a pipe", new String(batch.get(0).toByteArray()));
        }
        writer.join();
    }

    /**
     * A stream is read length table first: lengths that cannot add up fail before the reader waits
     * for a payload the peer may never send (read whole, a lying header would hang the reader).
     */
    @Test
    void badLengthsFailBeforeTheReaderWaitsForThePayload() throws Exception {
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        try (java.nio.channels.Pipe.SinkChannel sink = pipe.sink(); java.nio.channels.Pipe.SourceChannel source = pipe.source()) {
            RecordReader reader = new RecordReader(source, "peer", options);
            sink.write(ByteBuffer.wrap(words(8 + 16 + 100, 2, 50, 60))); // 110 > 100, and no payload follows
            CorruptRecordException e = assertThrows(CorruptRecordException.class,
                    () -> assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), reader::next));
            assertEquals("peer: length of blob 1 (60) exceeds the 50 payload bytes left; lengths must sum to 100 at byte 24",
                    e.getMessage());
        }
        assertEquals(0, allocator.outstandingSegments());
    }

    @Test
    void countIsComparedUnsigned() {
        assertThrows(CorruptRecordException.class, () -> RecordHeader.checkCount(-16, -16, "src", 8));
        assertThrows(CorruptRecordException.class, () -> RecordHeader.checkCount(-1, 64, "src", 8));
        assertThrows(CorruptRecordException.class, () -> RecordHeader.checkCount(1, 4, "src", 8));
    }
}
