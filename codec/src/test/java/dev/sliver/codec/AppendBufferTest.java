package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The appender's staging buffer: what it writes is the record byte for byte, and its sidecar
 * checksum vouches for those bytes, whatever the record's size against the buffer's (a record or
 * a length table that spans several buffer-fulls); and a failure part-way through a record larger
 * than the buffer leaves the file as it was.
 */
class AppendBufferTest {
    private static final int CAPACITY = AppendBuffer.CAPACITY;

    @TempDir
    Path dir;

    private static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return bytes;
    }

    private static byte[] serialized(List<byte[]> blobs) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Codec.serialize(blobs, Channels.newChannel(out));
        return out.toByteArray();
    }

    /** Records of every shape, appended through the three entry points, are the serializer's bytes, and verify. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, CAPACITY - 25, CAPACITY - 24, CAPACITY - 23, CAPACITY, 2 * CAPACITY + 7})
    void whatIsAppendedIsTheRecordByteForByte(int blobBytes) throws Exception {
        Path file = dir.resolve("log.strg");
        List<List<byte[]>> records = List.of(
                List.of(pattern(blobBytes, 1)),
                List.of(pattern(blobBytes / 3, 2), pattern(blobBytes - blobBytes / 3, 3)),
                List.of(pattern(blobBytes, 4)));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE);
             Arena arena = Arena.ofConfined()) {
            appender.append(records.get(0));
            List<MemorySegment> segments = new ArrayList<>();
            for (byte[] blob : records.get(1)) {
                segments.add(arena.allocate(Math.max(blob.length, 1)).asSlice(0, blob.length).copyFrom(MemorySegment.ofArray(blob)));
            }
            appender.appendSegments(segments);
            byte[] last = records.get(2).getFirst();
            ByteBuffer direct = ByteBuffer.allocateDirect(last.length / 2).put(0, last, 0, last.length / 2);
            RecordAppender.Appended ack = appender.append(new RecordWriter()
                    .add(direct, ByteBuffer.wrap(last, last.length / 2, last.length - last.length / 2)));
            assertEquals(2, ack.index());
            for (List<byte[]> record : records) {
                expected.writeBytes(serialized(record));
            }
            assertEquals(expected.size(), ack.offset() + ack.bytes());
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
        RecordFiles.Report report = RecordFiles.verify(file);
        assertEquals(3, report.checksummed(), "every entry's CRC32C matches its record's bytes: " + report);
    }

    /** A length table larger than the buffer: the header alone spans buffer-fulls. */
    @Test
    void aLengthTableLargerThanTheBufferIsWrittenWhole() throws Exception {
        Path file = dir.resolve("log.strg");
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < CAPACITY / 8 + 100; i++) {
            blobs.add(new byte[] {(byte) i});
        }
        try (GroupCommitAppender group = GroupCommitAppender.open(file, new GroupCommitAppender.Policy(1,
                java.time.Duration.ofSeconds(1)))) {
            group.append(blobs).join();
        }
        assertArrayEquals(serialized(blobs), Files.readAllBytes(file));
        assertEquals(1, RecordFiles.verify(file).checksummed());
    }

    /** A storage whose data file fails positional writes, like a full disk, once {@code budget} bytes are written. */
    private static Storage fullAfter(long budget) {
        return new Storage() {
            @Override
            public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
                FileChannel real = FileChannel.open(path, options);
                if (!path.getFileName().toString().endsWith(".strg")) {
                    return real;
                }
                return new ForwardingFileChannel(real) {
                    private long left = budget;

                    @Override
                    public int write(ByteBuffer src, long position) throws IOException {
                        if (left <= 0) {
                            throw new IOException("No space left on device");
                        }
                        ByteBuffer part = src.slice(src.position(), (int) Math.min(src.remaining(), left));
                        int n = file.write(part, position);
                        src.position(src.position() + n);
                        left -= n;
                        return n;
                    }
                };
            }
        };
    }

    /** A disk that fills after one buffer-full of a large record: the file is cut back and the appender fails. */
    @Test
    void aWriteThatFailsAfterAPieceOfALargeRecordCutsItBack() throws Exception {
        Path file = dir.resolve("log.strg");
        Codec.write(file, List.of(new byte[] {1, 2, 3}));
        long before = Files.size(file);
        try (RecordAppender appender = RecordAppender.open(fullAfter(CAPACITY + 100), file, RecordAppender.Durability.NONE)) {
            IOException e = assertThrows(IOException.class, () -> appender.append(List.of(new byte[3 * CAPACITY])));
            assertFalse(e instanceof AppendBuffer.UnreadableRecordException, e.toString());
            assertEquals(file + ": append failed (No space left on device), the file was cut back to " + before
                    + " bytes at byte " + before, e.getMessage());
            assertEquals(before, Files.size(file));
            IOException later = assertThrows(IOException.class, () -> appender.append(List.of(new byte[1])));
            assertTrue(later.getMessage().contains("failed earlier"), later.getMessage());
        }
        try (RecordAppender reopened = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(1, reopened.records());
        }
    }

    /**
     * A mapped blob whose file is truncated under it after the first pieces of the record were
     * written: the copy throws (never a SIGBUS in the checksum), the pieces are cut, and the
     * appender goes on at the same offset.
     */
    @Test
    void aMappedBlobThatVanishesPartWayLeavesTheFileAsItWasAndTheAppenderUsable() throws Exception {
        Path input = Files.write(dir.resolve("input.log"), new byte[4 * CAPACITY]);
        Path file = dir.resolve("log.strg");
        try (Arena arena = Arena.ofShared();
             FileChannel in = FileChannel.open(input, StandardOpenOption.READ, StandardOpenOption.WRITE);
             RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            appender.append(List.of(new byte[] {7}));
            long before = Files.size(file);
            MemorySegment mapped = in.map(FileChannel.MapMode.READ_ONLY, 0, in.size(), arena);
            in.truncate(2 * CAPACITY + 4096); // two buffer-fulls are written before the copy meets the hole
            IOException e = assertThrows(IOException.class, () -> appender.appendSegments(List.of(mapped)));
            assertTrue(e instanceof AppendBuffer.UnreadableRecordException, e.toString());
            assertTrue(e.getMessage().contains("vanished") && e.getMessage().contains("cut back to " + before), e.getMessage());
            assertEquals(before, Files.size(file));
            RecordAppender.Appended next = appender.append(List.of(new byte[] {8}));
            assertEquals(new RecordAppender.Appended(before, 1, 25), next);
        }
        assertEquals(2, RecordFiles.verify(file).checksummed());
    }

    /** A blob whose arena is closed: the JDK's exception, nothing written, the appender goes on. */
    @Test
    void aClosedSegmentIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path file = dir.resolve("log.strg");
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            closed = arena.allocate(100);
        }
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertThrows(IllegalStateException.class, () -> appender.appendSegments(List.of(closed)));
            assertEquals(0, Files.size(file));
            assertEquals(new RecordAppender.Appended(0, 0, 25), appender.append(List.of(new byte[1])));
        }
    }

    /** A list whose blob is {@code first} bytes long on the first look and {@code later} bytes after: another thread's edit. */
    private static List<byte[]> changingUnderneath(int first, int later) {
        return new java.util.AbstractList<>() {
            private int looks;

            @Override
            public byte[] get(int index) {
                return new byte[looks++ < 1 ? first : later];
            }

            @Override
            public int size() {
                return 1;
            }
        };
    }

    /**
     * A source whose bytes break its header's promise (what a list edited while it was read would
     * give) must not leave a record its header contradicts (which would hide every later record):
     * refused, the file as it was, the buffer usable.
     */
    @ParameterizedTest
    @ValueSource(ints = {10, 3 * CAPACITY})
    void aSourceThatBreaksItsHeadersPromiseIsRefusedWhole(int size) throws Exception {
        Path file = dir.resolve("log.strg");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); AppendBuffer buffer = new AppendBuffer(file)) {
            for (int later : new int[] {size - 1, size + 1}) {
                Exception e = assertThrows(Exception.class, () -> buffer.append(channel, 0, b -> {
                    b.header(1, size);
                    b.length(size);
                    b.put(new byte[later]);
                }));
                String message = e instanceof java.util.ConcurrentModificationException ? e.getMessage() : e.getCause().getMessage();
                assertTrue(message.contains("changed while it was staged"), e.toString());
                assertEquals(0, channel.size(), "nothing of it stays in the file");
            }
            assertEquals(25, buffer.append(channel, 0, AppendSources.arrays(List.of(new byte[] {2}))));
        }
    }

    /**
     * A blob longer than the header promised is refused before any of it is staged, as an array
     * and as a segment: the message counts only the header and lengths as staged (staged first and
     * refused at the end, it would count the blob's bytes too, past what the header promised).
     */
    @Test
    void aBlobLongerThanPromisedIsRefusedBeforeItIsStaged() throws Exception {
        Path file = dir.resolve("log.strg");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); AppendBuffer buffer = new AppendBuffer(file)) {
            List<AppendBuffer.Source> tooLong = List.of(b -> {
                b.header(1, 10);
                b.length(10);
                b.put(new byte[11]);
            }, b -> {
                b.header(1, 10);
                b.length(10);
                b.put(MemorySegment.ofArray(new byte[11]));
            });
            for (AppendBuffer.Source source : tooLong) {
                var e = assertThrows(java.util.ConcurrentModificationException.class, () -> buffer.append(channel, 0, source));
                assertEquals(file + ": the record to append at byte 0 changed while it was staged: its header promised 1 blobs"
                        + " of 10 bytes, it has staged 1 lengths adding up to 10 and 24 of its 34 bytes; nothing of it is appended",
                        e.getMessage());
                assertEquals(0, channel.size());
            }
        }
    }

    /** A record that cannot be read before any of it was written: the message says nothing was written, and the file is untouched. */
    @Test
    void aRecordUnreadableBeforeItsFirstWriteSaysNothingWasWritten() throws Exception {
        Path file = dir.resolve("log.strg");
        Files.write(file, serialized(List.of(new byte[] {1})));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             AppendBuffer buffer = new AppendBuffer(file)) {
            IOException e = assertThrows(AppendBuffer.UnreadableRecordException.class, () -> buffer.append(channel, 25, b -> {
                b.header(1, 1);
                throw new IOException("the source broke");
            }));
            assertEquals(file + ": the record to append at byte 25 could not be read: the source broke; nothing was written",
                    e.getMessage());
            assertEquals(25, channel.size());
        }
    }

    /** A channel that writes fewer bytes than asked (as a nearly full disk may) still gets every piece at its place. */
    @Test
    void shortWritesPutEveryByteInItsPlace() throws Exception {
        Path file = dir.resolve("log.strg");
        List<byte[]> blobs = List.of(pattern(2 * CAPACITY + 7, 3), pattern(100, 5));
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); AppendBuffer buffer = new AppendBuffer(file)) {
            real.write(ByteBuffer.wrap(new byte[] {9, 9, 9}));
            FileChannel shortWrites = new ForwardingFileChannel(real) {
                @Override
                public int write(ByteBuffer src, long position) throws IOException {
                    int written = file.write(src.slice(src.position(), Math.min(src.remaining(), 1000)), position);
                    src.position(src.position() + written);
                    return written;
                }
            };
            long bytes = buffer.append(shortWrites, 3, AppendSources.arrays(blobs));
            assertEquals(serialized(blobs).length, bytes);
        }
        byte[] expected = serialized(blobs);
        byte[] got = Files.readAllBytes(file);
        assertArrayEquals(new byte[] {9, 9, 9}, Arrays.copyOf(got, 3));
        assertArrayEquals(expected, Arrays.copyOfRange(got, 3, got.length));
    }

    /** A write and then the cut back both fail: the error says so, and keeps the cut's own error beside the write's. */
    @Test
    void aCutBackThatFailsTooIsKeptWithTheWritesError() throws Exception {
        Path file = dir.resolve("log.strg");
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); AppendBuffer buffer = new AppendBuffer(file)) {
            FileChannel failing = new ForwardingFileChannel(real) {
                private boolean wrote;

                @Override
                public int write(ByteBuffer src, long position) throws IOException {
                    if (wrote) {
                        throw new IOException("No space left on device");
                    }
                    wrote = true;
                    return file.write(src, position);
                }

                @Override
                public FileChannel truncate(long size) throws IOException {
                    throw new IOException("Input/output error");
                }
            };
            IOException e = assertThrows(IOException.class,
                    () -> buffer.append(failing, 0, AppendSources.arrays(List.of(new byte[2 * CAPACITY]))));
            assertEquals(file + ": append failed (No space left on device), and cutting the file back to 0 bytes failed too"
                    + " (Input/output error): it now ends in a partial record at byte 0", e.getMessage());
            Throwable[] suppressed = e.getCause().getSuppressed();
            assertEquals(1, suppressed.length);
            assertEquals("Input/output error", suppressed[0].getMessage());
        }
    }

    /** A list that changes between looks is appended as it was at the first: one consistent record. */
    @ParameterizedTest
    @ValueSource(ints = {10, 3 * CAPACITY})
    void aListIsReadOnce(int size) throws Exception {
        Path file = dir.resolve("log.strg");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(new RecordAppender.Appended(0, 0, 24 + size), appender.append(changingUnderneath(size, size + 1)));
        }
        assertEquals(1, RecordFiles.verify(file).checksummed());
    }

    /** A record of no blobs is its 16-byte header. */
    @Test
    void aRecordOfNoBlobsIsItsHeader() throws Exception {
        Path file = dir.resolve("log.strg");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            assertEquals(new RecordAppender.Appended(0, 0, 16), appender.append(List.of()));
            assertEquals(new RecordAppender.Appended(16, 1, 16), appender.appendSegments(List.of()));
        }
        assertArrayEquals(serialized(List.of()), Arrays.copyOf(Files.readAllBytes(file), 16));
        assertEquals(2, RecordFiles.verify(file).checksummed());
    }

    /** Threads sharing one appender (and so its buffer): every record whole, at the offset it was told, in one chain. */
    @Test
    void threadsSharingAnAppenderEachGetTheirRecordWhole() throws Exception {
        Path file = dir.resolve("log.strg");
        int threads = 4;
        int each = 200;
        List<RecordAppender.Appended> acks = java.util.Collections.synchronizedList(new ArrayList<>());
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                started.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < each; i++) {
                        try { // sizes that straddle the buffer now and then
                            acks.add(appender.append(List.of(pattern((i * 7919 + seed) % (CAPACITY + 5000), seed))));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }));
            }
            for (Thread thread : started) {
                assertTrue(thread.join(java.time.Duration.ofMinutes(2)), "watchdog: an append hung");
            }
        }
        assertEquals(threads * each, acks.size());
        acks.sort(java.util.Comparator.comparingLong(RecordAppender.Appended::offset));
        long offset = 0;
        for (int i = 0; i < acks.size(); i++) {
            assertEquals(offset, acks.get(i).offset());
            assertEquals(i, acks.get(i).index());
            offset += acks.get(i).bytes();
        }
        assertEquals(offset, Files.size(file));
        assertEquals(threads * each, RecordFiles.verify(file).checksummed());
    }

    /** After close, the buffer's memory is gone and the appender says it is closed. */
    @Test
    void aClosedAppenderRefusesAppends() throws Exception {
        Path file = dir.resolve("log.strg");
        RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE);
        appender.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> appender.append(List.of(new byte[1])));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(0, Files.size(file));
    }

    @Test
    void aListWhoseBlobsChangeBetweenReadsIsAppendedAsOneConsistentRecord() throws Exception {
        // Every get() returns other arrays of the same total size: the header, the lengths and
        // the bytes must all come from one look at the list, or the record's lengths disagree
        // with its bytes (a swap that keeps the total is not caught by counting bytes).
        List<byte[]> shifting = new java.util.AbstractList<>() {
            private int calls;

            @Override
            public byte[] get(int index) {
                boolean odd = (calls++ / 2) % 2 == 1;
                byte[] blob = new byte[(index == 0) == odd ? 10 : 30];
                Arrays.fill(blob, (byte) (index + 1));
                return blob;
            }

            @Override
            public int size() {
                return 2;
            }
        };
        Path file = dir.resolve("shifting.strg");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            appender.append(shifting);
        }
        try (RecordFile records = RecordFile.open(file); dev.sliver.core.Batch record = records.get(0)) {
            assertEquals(1, records.verify());
            assertEquals(2, record.size());
            assertEquals(40, record.totalBytes());
            for (int i = 0; i < 2; i++) {
                byte[] blob = record.get(i).toByteArray();
                for (byte b : blob) {
                    assertEquals(i + 1, b, "blob " + i + " holds another blob's bytes");
                }
            }
        }
    }
}
