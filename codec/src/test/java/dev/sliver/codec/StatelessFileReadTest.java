package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static dev.sliver.codec.Records.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Codec#tryDeserialize} and {@link Codec#deserialize} on a {@link FileChannel} guess a
 * record's size from the last one (one read when right): whatever the guess, each call returns
 * the record at the channel's position, leaves the channel right after it, and fails as a reader
 * without a guess does, returning every segment.
 */
class StatelessFileReadTest {
    private final CountingAllocator allocator = new CountingAllocator(ThreadCachingAllocator.shared());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(allocator);

    @TempDir
    Path dir;

    @AfterEach
    void nothingLeaked() {
        assertEquals(0, allocator.outstandingSegments(), "every segment is returned");
    }

    /** Same sizes in a row (exact guesses), then larger (too small), smaller (too large), past 64 KiB and back. */
    private static List<List<byte[]>> records() {
        Random random = new Random(7);
        List<List<byte[]>> records = new ArrayList<>();
        int[] sizes = {1000, 1000, 1000, 5000, 5000, 10, 10, 0, 70_000, 70_000, 64 * 1024 - 24, 64 * 1024 - 24, 100, 3000, 1};
        for (int size : sizes) {
            byte[] blob = new byte[size];
            random.nextBytes(blob);
            records.add(List.of(blob, new byte[] {(byte) size}));
        }
        records.add(List.of());
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

    private static void assertRecord(List<byte[]> expected, Batch batch) {
        List<byte[]> got = toArrays(batch);
        assertEquals(expected.size(), got.size());
        for (int b = 0; b < got.size(); b++) {
            assertArrayEquals(expected.get(b), got.get(b), "blob " + b);
        }
    }

    private void assertLoop(FileChannel channel, List<List<byte[]>> records) throws IOException {
        long offset = channel.position();
        for (List<byte[]> expected : records) {
            try (Batch batch = Codec.tryDeserialize(channel, options)) {
                assertRecord(expected, batch);
                offset += 16 + 8L * batch.size() + batch.totalBytes();
                assertEquals(offset, channel.position(), "the channel is right after the record");
                assertEquals(1, allocator.outstandingSegments());
            }
        }
        assertNull(Codec.tryDeserialize(channel, options));
        assertEquals(offset, channel.position());
    }

    @Test
    void everyGuessLeavesTheChannelRightAfterItsRecord() throws Exception {
        List<List<byte[]>> records = records();
        Path file = Files.write(dir.resolve("mixed.strg"), encode(records));
        for (int pass = 0; pass < 3; pass++) { // later passes start with a guess left by the earlier ones
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                assertLoop(channel, records);
            }
        }
    }

    @Test
    void aPositionMovedBetweenCallsIsWhereTheNextRecordIsRead() throws Exception {
        List<List<byte[]>> records = records();
        byte[] bytes = encode(records);
        Path file = Files.write(dir.resolve("moved.strg"), bytes);
        long second = serialize(records.get(0)).length;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Codec.tryDeserialize(channel, options).close();
            Codec.tryDeserialize(channel, options).close();
            channel.position(0);
            try (Batch batch = Codec.deserialize(channel, options)) {
                assertRecord(records.get(0), batch);
            }
            assertEquals(second, channel.position());
            long fourth = 3 * second;
            channel.position(fourth);
            try (Batch batch = Codec.deserialize(channel, options)) {
                assertRecord(records.get(3), batch);
            }
            channel.position(0);
            assertLoop(channel, records);
        }
    }

    @Test
    void aFileAppendedToBetweenCallsIsReadOn() throws Exception {
        byte[] one = serialize(List.of(new byte[1000]));
        byte[] larger = serialize(List.of(new byte[2000]));
        Path file = Files.write(dir.resolve("growing.strg"), concat(one, one));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Codec.tryDeserialize(channel, options).close();
            Codec.tryDeserialize(channel, options).close();
            assertNull(Codec.tryDeserialize(channel, options));
            Files.write(file, concat(one, larger, one), StandardOpenOption.APPEND);
            for (byte[] expected : List.of(one, larger, one)) {
                try (Batch batch = Codec.tryDeserialize(channel, options)) {
                    assertEquals(expected.length - 24, batch.totalBytes());
                }
            }
            assertNull(Codec.tryDeserialize(channel, options));
            assertEquals(4L * one.length + larger.length, channel.position());
        }
    }

    @Test
    void failuresAfterAGuessAreTheReadersFailures() throws Exception {
        byte[] good = serialize(List.of(new byte[1000]));
        byte[] goods = concat(good, good, good);
        List<byte[]> tails = List.of(
                Arrays.copyOf(good, good.length - 1),                        // EOF in a record of the guessed size
                Arrays.copyOf(serialize(List.of(new byte[5000])), 3000),     // EOF in a larger one
                Arrays.copyOf(good, 10),                                     // EOF in the header
                words(7, 0),                                                 // total below 8
                concat(words(1016, 200), new byte[1000]),                    // count does not fit
                concat(words(1016, 127), new byte[1000]),                    // count one past what fits
                concat(words(1016, 200), new byte[1008]),                    // of the guessed size, a count that does not fit
                concat(words(1016, 127), new byte[1008]),                    // of the guessed size, one past what fits
                concat(words(5016, 700), new byte[5008]),                    // larger, a count that does not fit
                concat(words(5016, 1, 4999), new byte[5000]),                // larger than the guess, not adding up
                concat(words(5016, 2, 4000, 1001), new byte[5000 - 8]),      // larger, a length too large
                concat(words(5016, 1, 5000), new byte[4999]),                // larger, one byte short of the file
                concat(words(1016, 1, 999), new byte[1000]),                 // the length does not add up
                concat(words(1016, 2, 1000, 5), new byte[1000 - 8]),         // a length too large
                concat(words(100, 1, 83), new byte[84], good),               // a bad record smaller than the guess
                words(1L << 62, 1));                                         // over every limit
        for (byte[] tail : tails) {
            byte[] bytes = concat(goods, tail);
            Path file = Files.write(dir.resolve("bad.strg"), bytes);
            String expected;
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                channel.position(goods.length);
                expected = assertThrows(CorruptRecordException.class,
                        () -> new RecordReader(channel, "file channel", options).next()).getMessage();
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                for (int i = 0; i < 3; i++) {
                    Codec.tryDeserialize(channel, options).close();
                }
                CorruptRecordException e = assertThrows(CorruptRecordException.class,
                        () -> Codec.tryDeserialize(channel, options));
                assertEquals(expected, e.getMessage(), "after " + tail.length + " bytes of tail");
            }
        }
    }

    /** A file channel whose reads fail after {@code readsLeft} more, and whose size can be made to say more than there is. */
    private static final class Unreliable extends ForwardingFileChannel {
        int readsLeft = Integer.MAX_VALUE;
        long sizeSaysMore;

        Unreliable(FileChannel file) {
            super(file);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (readsLeft-- <= 0) {
                throw new IOException("Input/output error");
            }
            return file.read(dst);
        }

        @Override
        public long size() throws IOException {
            return file.size() + sizeSaysMore;
        }
    }

    /** A read that fails after the size was learned is named with the source and the byte, in the guessed read and in the rest. */
    @Test
    void aReadThatFailsAfterAGuessNamesTheByte() throws Exception {
        byte[] good = serialize(List.of(new byte[1000]));
        byte[] larger = serialize(List.of(new byte[5000]));
        Path file = Files.write(dir.resolve("failing.strg"), concat(good, good, larger));
        try (Unreliable channel = new Unreliable(FileChannel.open(file, StandardOpenOption.READ))) {
            Codec.tryDeserialize(channel, options).close();
            channel.readsLeft = 0;
            IOException e = assertThrows(IOException.class, () -> Codec.tryDeserialize(channel, options));
            assertEquals("file channel: Input/output error at byte 1024", e.getMessage(), "the guessed read");
            channel.readsLeft = Integer.MAX_VALUE;
            Codec.tryDeserialize(channel, options).close();
            channel.readsLeft = 1;
            e = assertThrows(IOException.class, () -> Codec.tryDeserialize(channel, options));
            assertEquals("file channel: Input/output error at byte 3072", e.getMessage(), "the read of the rest, after the guess's 1,024 bytes");
        }
    }

    /** A file that ends inside a record its size said was whole (it shrank between the two) ends in a truncated record. */
    @Test
    void aFileThatEndsInsideARecordLongerThanTheGuessIsATruncatedRecord() throws Exception {
        byte[] good = serialize(List.of(new byte[1000]));
        byte[] larger = serialize(List.of(new byte[5000]));
        Path file = Files.write(dir.resolve("short.strg"), concat(good, Arrays.copyOf(larger, larger.length - 1)));
        try (Unreliable channel = new Unreliable(FileChannel.open(file, StandardOpenOption.READ))) {
            Codec.tryDeserialize(channel, options).close();
            channel.sizeSaysMore = 1;
            CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.tryDeserialize(channel, options));
            assertEquals("file channel: truncated record: expected 5024 bytes for the record starting at byte 1024, got 5023"
                    + " at byte 6047", e.getMessage());
        }
    }

    @Test
    void aFileTruncatedUnderTheReaderEndsInATruncatedRecord() throws Exception {
        byte[] good = serialize(List.of(new byte[1000]));
        Path file = Files.write(dir.resolve("shrinking.strg"), concat(good, good, good));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel writer = FileChannel.open(file, StandardOpenOption.WRITE)) {
            Codec.tryDeserialize(channel, options).close();
            writer.truncate(good.length + 500L);
            CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.tryDeserialize(channel, options));
            assertEquals(good.length, e.offset(), e.getMessage());
            assertTrue(e.reason().contains("exceeds the 492 bytes remaining"), e.getMessage());
            assertTrue(e.getMessage().startsWith("file channel: "), e.getMessage());
        }
    }

    @Test
    void aChannelThatHandsOutOneByteAtATimeIsReadRight() throws Exception {
        List<List<byte[]>> records = records();
        Path file = Files.write(dir.resolve("dribble.strg"), encode(records));
        try (FileChannel channel = new ForwardingFileChannel(FileChannel.open(file, StandardOpenOption.READ)) {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                ByteBuffer one = dst.slice(dst.position(), Math.min(1, dst.remaining()));
                int n = file.read(one);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
        }) {
            assertLoop(channel, records);
        }
    }

    @Test
    void aFileChannelOverAFifoIsReadAsAStream() throws Exception {
        // A FileChannel whose position cannot be read ("Illegal seek") is never read past its record.
        List<List<byte[]>> records = records();
        byte[] bytes = encode(records);
        Path file = Files.write(dir.resolve("fifo-like.strg"), bytes);
        long[] consumed = {0};
        try (FileChannel channel = new ForwardingFileChannel(FileChannel.open(file, StandardOpenOption.READ)) {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                int n = file.read(dst);
                consumed[0] += Math.max(n, 0);
                return n;
            }

            @Override
            public long position() throws IOException {
                throw new IOException("Illegal seek");
            }

            @Override
            public FileChannel position(long p) throws IOException {
                throw new IOException("Illegal seek");
            }
        }) {
            long offset = 0;
            for (List<byte[]> expected : records) {
                try (Batch batch = Codec.tryDeserialize(channel, options)) {
                    assertRecord(expected, batch);
                    offset += 16 + 8L * batch.size() + batch.totalBytes();
                    assertEquals(offset, consumed[0], "nothing read past the record");
                }
            }
            assertNull(Codec.tryDeserialize(channel, options));
        }
    }

    @Test
    void twoChannelsReadInTurnOnOneThread() throws Exception {
        List<List<byte[]>> records = records();
        Path a = Files.write(dir.resolve("a.strg"), encode(records));
        Path b = Files.write(dir.resolve("b.strg"), encode(records.reversed()));
        try (FileChannel ca = FileChannel.open(a, StandardOpenOption.READ);
             FileChannel cb = FileChannel.open(b, StandardOpenOption.READ)) {
            for (int i = 0; i < records.size(); i++) {
                try (Batch x = Codec.deserialize(ca, options); Batch y = Codec.deserialize(cb, options)) {
                    assertRecord(records.get(i), x);
                    assertRecord(records.get(records.size() - 1 - i), y);
                }
            }
            assertNull(Codec.tryDeserialize(ca, options));
            assertThrows(CorruptRecordException.class, () -> Codec.deserialize(cb, options));
        }
    }

    /**
     * Records of one size cost one system call each once the size is learned: records of 1,000
     * bytes, empty records (the 16-byte header is the whole record) and records whose
     * total_length is exactly the cap (still under it: guessed too).
     */
    @Test
    void recordsOfOneSizeCostOneSystemCallEach() throws Exception {
        assertOneCallPerRecord(null, List.of(new byte[1000]), options);
        assertOneCallPerRecord(null, List.of(), options);
        assertOneCallPerRecord(null, List.of(new byte[1000]), options.withMaxRecordBytes(8 + 8 + 1000));
    }

    /**
     * The guess follows the records: after a record past {@link FileChannelReads#MAX_GUESS} (no
     * guess), a larger one (a guess too large) or a smaller one (too small), the next record
     * teaches its size, and the ones after it cost one call each.
     */
    @Test
    void theGuessLearnsEachNewSize() throws Exception {
        for (int lead : new int[] {70_000, 5000, 10}) {
            assertOneCallPerRecord(List.of(new byte[lead]), List.of(new byte[1000]), options);
        }
    }

    /** A file whose last record taught the size, and that grows after it, is still read one call per record. */
    @Test
    void aFileThatGrowsAfterTheRecordThatTaughtTheSizeIsStillGuessed() throws Exception {
        byte[] one = serialize(List.of(new byte[1000]));
        Path file = Files.write(dir.resolve("growing.strg"), one);
        int[] calls = new int[1];
        try (FileChannel channel = new ForwardingFileChannel(FileChannel.open(file, StandardOpenOption.READ)) {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                calls[0]++;
                return file.read(dst);
            }

            @Override
            public long position() throws IOException {
                calls[0]++;
                return file.position();
            }

            @Override
            public long size() throws IOException {
                calls[0]++;
                return file.size();
            }
        }) {
            Codec.tryDeserialize(channel, options).close(); // the file ends where this record does
            Files.write(file, concat(one, one), StandardOpenOption.APPEND);
            for (int i = 1; i < 3; i++) {
                calls[0] = 0;
                Codec.tryDeserialize(channel, options).close();
                assertEquals(1, calls[0], "one read for record " + i);
            }
        }
    }

    /**
     * A thread's first reads (nothing learned yet, no scratch buffer): records growing past the
     * first buffer, to exactly {@link FileChannelReads#MAX_GUESS} bytes, come back whole, and
     * after each new size the next record of it costs one call.
     */
    @Test
    void aNewThreadLearnsAndGrowsItsGuess() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Thread fresh = Thread.ofPlatform().start(() -> {
            try {
                assertOneCallPerRecord(null, List.of(new byte[10]), options);
                assertOneCallPerRecord(null, List.of(new byte[5000]), options);
                assertOneCallPerRecord(null, List.of(new byte[FileChannelReads.MAX_GUESS - 24]), options);
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        fresh.join();
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
    }

    /** Reads {@code lead} (if any), then five {@code record}s: the second to the fifth must cost one call each. */
    private void assertOneCallPerRecord(List<byte[]> lead, List<byte[]> record, ReadOptions readOptions) throws IOException {
        byte[] one = serialize(record);
        long payload = record.stream().mapToLong(b -> b.length).sum();
        byte[] first = lead != null ? serialize(lead) : new byte[0];
        Path file = Files.write(dir.resolve("uniform.strg"), concat(first, one, one, one, one, one));
        int[] calls = new int[1];
        try (FileChannel channel = new ForwardingFileChannel(FileChannel.open(file, StandardOpenOption.READ)) {
            @Override
            public int read(ByteBuffer dst) throws IOException {
                calls[0]++;
                return file.read(dst);
            }

            @Override
            public long position() throws IOException {
                calls[0]++;
                return file.position();
            }

            @Override
            public FileChannel position(long p) throws IOException {
                calls[0]++;
                file.position(p);
                return this;
            }

            @Override
            public long size() throws IOException {
                calls[0]++;
                return file.size();
            }
        }) {
            if (lead != null) {
                Codec.tryDeserialize(channel, readOptions).close(); // learns the channel and the lead's size
            }
            Codec.tryDeserialize(channel, readOptions).close(); // learns the record's size
            for (int i = 1; i < 5; i++) {
                calls[0] = 0;
                try (Batch batch = Codec.tryDeserialize(channel, readOptions)) {
                    assertEquals(payload, batch.totalBytes());
                }
                assertEquals(1, calls[0], "one read for record " + i + " of " + one.length + " bytes");
            }
            calls[0] = 0;
            assertNull(Codec.tryDeserialize(channel, readOptions));
            assertEquals(1, calls[0], "and one to find the end");
        }
    }

    /** At the end of the file, after guessed reads: deserialize says there is no record and where; tryDeserialize returns null. */
    @Test
    void theEndAfterAGuessIsNoRecordOrNull() throws Exception {
        byte[] one = serialize(List.of(new byte[100]));
        Path file = Files.write(dir.resolve("two.strg"), concat(one, one));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Codec.deserialize(channel, options).close(); // learns
            Codec.deserialize(channel, options).close(); // guessed
            CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> Codec.deserialize(channel, options));
            assertEquals("file channel: no record: the input ended before a header at byte " + 2 * one.length, e.getMessage());
            assertNull(Codec.tryDeserialize(channel, options));
        }
    }

    /**
     * A record longer than the guess is judged against what remains of the file, as a reader
     * judges it, also when the file ends exactly where the guessed read did (it is then no
     * stream, whose record would be read until it ends short).
     */
    @Test
    void aRecordLongerThanTheGuessIsJudgedByTheFilesSize() throws Exception {
        byte[] good = serialize(List.of(new byte[1000])); // guesses of 1,024 bytes
        Path file = Files.write(dir.resolve("longer.strg"), concat(good, good, words(2000, 1, 1992), new byte[good.length - 24]));
        String expected = "file channel: total_length 2000 exceeds the 1016 bytes remaining at byte 2048";
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(2048);
            assertEquals(expected, assertThrows(CorruptRecordException.class,
                    () -> new RecordReader(channel, "file channel", options).next()).getMessage());
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Codec.tryDeserialize(channel, options).close();
            Codec.tryDeserialize(channel, options).close();
            assertEquals(expected, assertThrows(CorruptRecordException.class,
                    () -> Codec.tryDeserialize(channel, options)).getMessage());
        }
    }
}
