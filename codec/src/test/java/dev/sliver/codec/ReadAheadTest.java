package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.sliver.codec.Records.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A reader that reads ahead ({@link RecordReader#readingAhead}, {@link RecordReader#open}) returns
 * the same records, errors and offsets as one that does not, whatever the channel hands it per
 * read, across chunk boundaries and for records larger than a chunk; it never waits for bytes its
 * record does not need, and returns every segment on every path.
 */
class ReadAheadTest {
    private static final int CHUNK = RecordReader.READ_AHEAD_BYTES;

    private final CountingAllocator allocator = new CountingAllocator(ThreadCachingAllocator.shared());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(allocator);

    @TempDir
    Path dir;

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, allocator.outstandingSegments(), "every segment is returned");
    }

    /** Records of sizes that straddle chunk boundaries, some larger than a chunk, the empty record among them. */
    private static List<List<byte[]>> mixedRecords() {
        Random random = new Random(20);
        List<List<byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            records.add(List.of(new byte[1000 + random.nextInt(50)], new byte[random.nextInt(3)]));
        }
        records.add(List.of());
        byte[] large = new byte[CHUNK + 12345];
        random.nextBytes(large);
        records.add(List.of(large, new byte[] {7}));
        for (int i = 0; i < 300; i++) {
            byte[] blob = new byte[random.nextInt(3000)];
            random.nextBytes(blob);
            records.add(List.of(blob));
        }
        byte[] exactlyAChunk = new byte[CHUNK - 24];
        random.nextBytes(exactlyAChunk);
        records.add(List.of(exactlyAChunk));
        records.add(List.of(new byte[3 * CHUNK]));
        records.add(List.of(new byte[] {1, 2, 3}, new byte[] {4, 5}));
        return records;
    }

    private static byte[] encode(List<List<byte[]>> records) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (List<byte[]> record : records) {
            out.writeBytes(serialize(record));
        }
        return out.toByteArray();
    }

    /** A channel handing out at most {@code step} bytes per read. */
    private static ReadableByteChannel chopped(byte[] bytes, int step) {
        ByteBuffer data = ByteBuffer.wrap(bytes);
        return new ReadableByteChannel() {
            @Override
            public int read(ByteBuffer dst) {
                if (!data.hasRemaining()) {
                    return -1;
                }
                int n = Math.min(step, Math.min(dst.remaining(), data.remaining()));
                dst.put(data.slice(data.position(), n));
                data.position(data.position() + n);
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    private void assertReadsAll(RecordReader reader, List<List<byte[]>> records, byte[] bytes, long base) throws IOException {
        long offset = base;
        for (List<byte[]> expected : records) {
            assertEquals(offset, reader.position(), "position before each record");
            try (Batch batch = reader.next()) {
                assertNotNull(batch);
                assertEquals(1, allocator.outstandingSegments(), "one segment per record");
                List<byte[]> got = toArrays(batch);
                assertEquals(expected.size(), got.size());
                for (int b = 0; b < got.size(); b++) {
                    assertArrayEquals(expected.get(b), got.get(b));
                }
                offset += 16 + 8L * batch.size() + batch.totalBytes();
            }
        }
        assertEquals(base + bytes.length, reader.position());
        assertNull(reader.next(), "a clean end");
        assertNull(reader.next(), "and again");
    }

    @Test
    void everyRecordComesBackWhateverTheChannelHandsOutPerRead() throws Exception {
        List<List<byte[]>> records = mixedRecords();
        byte[] bytes = encode(records);
        for (int step : new int[] {1, 7, 4096, 65536, Integer.MAX_VALUE}) {
            try (RecordReader reader = RecordReader.readingAhead(chopped(bytes, step), "chopped", options)) {
                assertReadsAll(reader, records, bytes, 0);
            }
        }
        Path file = Files.write(dir.resolve("mixed.strg"), bytes);
        try (RecordReader reader = RecordReader.open(file, options)) {
            assertReadsAll(reader, records, bytes, 0);
        }
    }

    @Test
    void aFileChannelIsReadFromItsPositionWithAbsoluteOffsets() throws Exception {
        List<List<byte[]>> records = mixedRecords();
        byte[] bytes = encode(records);
        Path file = Files.write(dir.resolve("offset.strg"), concat(new byte[100], bytes));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(100);
            assertReadsAll(RecordReader.readingAhead(channel, file, options), records, bytes, 100);
        }
    }

    /**
     * A reader that reads ahead asks a file its size once, not once per record: the size it read
     * covers every record of a file that does not change (the last one ends exactly there, and
     * the chunk then holds exactly what is left of the file).
     */
    @Test
    void aFileThatDoesNotChangeIsAskedItsSizeOnce() throws Exception {
        List<List<byte[]>> records = mixedRecords();
        byte[] bytes = encode(records);
        Path file = Files.write(dir.resolve("asked.strg"), bytes);
        int[] sizeCalls = new int[1];
        try (FileChannel channel = new ForwardingFileChannel(FileChannel.open(file, StandardOpenOption.READ)) {
            @Override
            public long size() throws IOException {
                sizeCalls[0]++;
                return file.size();
            }
        }) {
            assertReadsAll(RecordReader.readingAhead(channel, file, options), records, bytes, 0);
        }
        assertEquals(1, sizeCalls[0]);
        byte[] small = encode(records.subList(0, 50));
        Path smallFile = Files.write(dir.resolve("small.strg"), small);
        sizeCalls[0] = 0;
        try (FileChannel channel = new ForwardingFileChannel(FileChannel.open(smallFile, StandardOpenOption.READ)) {
            @Override
            public long size() throws IOException {
                sizeCalls[0]++;
                return file.size();
            }
        }) {
            assertReadsAll(RecordReader.readingAhead(channel, smallFile, options), records.subList(0, 50), small, 0);
        }
        assertEquals(1, sizeCalls[0], "the whole file in one chunk");
    }

    /**
     * A record appended cut short after the reader reached the end of a file, far from its start:
     * the size read before no longer covers it, so the file is asked again and the record is
     * judged against what the file now holds after it.
     */
    @Test
    void aCutRecordAppendedLaterIsJudgedByTheFilesNewSize() throws Exception {
        byte[] one = serialize(List.of(new byte[] {1, 2, 3}));
        byte[][] hundred = new byte[100][];
        Arrays.fill(hundred, one);
        Path file = Files.write(dir.resolve("grown.strg"), concat(hundred));
        try (RecordReader reader = RecordReader.open(file, options)) {
            for (int i = 0; i < 100; i++) {
                reader.next().close();
            }
            assertNull(reader.next());
            Files.write(file, concat(words(100, 1, 84), new byte[10]), StandardOpenOption.APPEND);
            CorruptRecordException e = assertThrows(CorruptRecordException.class, reader::next);
            assertEquals(file + ": total_length 100 exceeds the 26 bytes remaining at byte 2700", e.getMessage());
        }
    }

    /**
     * A record completed after the reader read its first bytes (a reader tailing a file being
     * appended): the size read before does not cover it, so the file is asked again, and the
     * record is read whole rather than judged against the old size.
     */
    @Test
    void aRecordCompletedAfterTheReaderReadItsFirstBytesIsRead() throws Exception {
        byte[] first = serialize(List.of(new byte[] {1, 2, 3}));
        byte[] second = serialize(List.of(new byte[] {4, 5, 6, 7, 8, 9, 10, 11})); // 32 bytes
        Path file = Files.write(dir.resolve("tailed.strg"), concat(first, Arrays.copyOf(second, 20)));
        try (RecordReader reader = RecordReader.open(file, options)) {
            reader.next().close(); // the chunk now holds the second record's first 20 bytes
            Files.write(file, Arrays.copyOfRange(second, 20, second.length), StandardOpenOption.APPEND);
            try (Batch batch = reader.next()) {
                assertArrayEquals(new byte[] {4, 5, 6, 7, 8, 9, 10, 11}, batch.get(0).toByteArray());
            }
            assertNull(reader.next());
        }
    }

    @Test
    void recordsAppendedAfterTheEndAreReadByTheNextCall() throws Exception {
        byte[] one = serialize(List.of(new byte[] {1, 2, 3}));
        byte[] big = serialize(List.of(new byte[CHUNK * 2]));
        Path file = Files.write(dir.resolve("growing.strg"), one);
        try (RecordReader reader = RecordReader.open(file, options)) {
            reader.next().close();
            assertNull(reader.next());
            Files.write(file, concat(one, big), StandardOpenOption.APPEND);
            try (Batch batch = reader.next()) {
                assertEquals(3, batch.totalBytes());
            }
            try (Batch batch = reader.next()) {
                assertEquals(CHUNK * 2, batch.totalBytes(), "larger than what the reader knew of the file's size");
            }
            assertNull(reader.next());
            assertEquals(2L * one.length + big.length, reader.position());
        }
    }

    @Test
    void errorsNameTheSameOffsetsAsAReaderWithoutReadAhead() throws Exception {
        byte[] good = encode(mixedRecords());
        List<byte[]> bad = List.of(
                words(7, 0),                                                // total below 8
                words(16, 9, 1, 1),                                         // count too big
                concat(words(8 + 16 + 3, 2, 2, 5), new byte[3]),            // a length too large
                concat(words(8 + 16 + 5, 2, 1, 1), new byte[5]),            // lengths do not add up
                Arrays.copyOf(serialize(List.of(new byte[500])), 300),      // EOF in a small record's payload
                Arrays.copyOf(serialize(List.of(new byte[CHUNK * 2])), CHUNK + 99), // EOF in a large one
                Arrays.copyOf(serialize(List.of(new byte[10])), 5),         // EOF in total_length
                Arrays.copyOf(serialize(List.of(new byte[10])), 12),        // EOF in count
                Arrays.copyOf(serialize(List.of(new byte[10], new byte[1])), 20), // EOF in the table
                words(1L << 62, 1));                                        // over every limit
        for (byte[] tail : bad) {
            byte[] bytes = concat(good, tail);
            Path file = Files.write(dir.resolve("bad.strg"), bytes);
            CorruptRecordException plainStream = failure(new RecordReader(chopped(bytes, 4096), "s", options));
            CorruptRecordException plainFile;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                plainFile = failure(new RecordReader(channel, file, options));
            }
            for (int step : new int[] {1, 4096, Integer.MAX_VALUE}) {
                CorruptRecordException ahead = failure(RecordReader.readingAhead(chopped(bytes, step), "s", options));
                assertEquals(plainStream.getMessage(), ahead.getMessage(), "step " + step);
            }
            try (RecordReader reader = RecordReader.open(file, options)) {
                assertEquals(plainFile.getMessage(), failure(reader).getMessage());
            }
            assertTrue(plainFile.offset() >= good.length, plainFile.getMessage());
        }
    }

    /** Reads until the reader throws; returns what it threw. */
    private static CorruptRecordException failure(RecordReader reader) {
        return assertThrows(CorruptRecordException.class, () -> {
            for (;;) {
                Batch batch = reader.next();
                assertNotNull(batch, "the input ends cleanly");
                batch.close();
            }
        });
    }

    @Test
    void aHeaderOverTheStreamCapAllocatesNothing() {
        ReadOptions capped = options.withMaxRecordBytes(1024);
        byte[] bytes = concat(words(2000, 1, 1984), new byte[1984]);
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> RecordReader.readingAhead(Channels.newChannel(new ByteArrayInputStream(bytes)), "s", capped).next());
        assertTrue(e.reason().contains("limit of 1024"), e.getMessage());
        assertEquals(0, allocator.totalAllocations());
    }

    @Test
    void aRecordIsReturnedWithoutWaitingForTheNext() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            RecordReader reader = RecordReader.readingAhead(source, "pipe", options);
            for (int size : new int[] {5, 100_000, CHUNK * 2, 3}) {
                ByteBuffer record = ByteBuffer.wrap(serialize(List.of(new byte[size])));
                Thread peer = Thread.ofPlatform().start(() -> { // a pipe holds less than the large records
                    try {
                        while (record.hasRemaining()) {
                            sink.write(record);
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                try (Batch batch = assertTimeoutPreemptively(Duration.ofSeconds(20), reader::next)) {
                    assertEquals(size, batch.totalBytes(), "the peer sent one record and waits");
                }
                peer.join();
            }
        }
    }

    @Test
    void badLengthsFailBeforeThePayloadArrives() throws Exception {
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            RecordReader reader = RecordReader.readingAhead(source, "pipe", options);
            sink.write(ByteBuffer.wrap(words(8 + 16 + 100, 2, 50, 60))); // 110 > 100, and no payload follows
            CorruptRecordException e = assertThrows(CorruptRecordException.class,
                    () -> assertTimeoutPreemptively(Duration.ofSeconds(20), reader::next));
            assertTrue(e.reason().contains("length of blob 1 (60)"), e.getMessage());
            assertEquals(24, e.offset());
        }
    }

    @Test
    void aClosedReaderRefusesToRead() throws Exception {
        byte[] bytes = encode(List.of(List.of(new byte[] {1}), List.of(new byte[] {2})));
        RecordReader reader = RecordReader.readingAhead(chopped(bytes, 100), "s", options);
        reader.next().close();
        reader.close();
        assertThrows(IllegalStateException.class, reader::next);
    }
}
