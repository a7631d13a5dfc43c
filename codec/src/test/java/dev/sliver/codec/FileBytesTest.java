package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way the record-file layer reads a file's bytes (a window over a channel, a block of
 * memory, a mapping) gives the same bytes, words, zero checks and checksums, whatever the window
 * size and however far a range reaches past one window or one 64 KiB copy.
 */
class FileBytesTest {
    @TempDir
    Path dir;

    private static final int SIZE = 300_000;

    private static byte[] content() {
        byte[] bytes = new byte[SIZE];
        new Random(5).nextBytes(bytes);
        java.util.Arrays.fill(bytes, 1000, 200_000, (byte) 0); // a long run of zeros across several 64 KiB pieces
        return bytes;
    }

    private static int crc(byte[] bytes, int from, int to) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, to - from);
        return (int) crc.getValue();
    }

    private static int crc(FileBytes bytes, long from, long to) throws Exception {
        CRC32C crc = new CRC32C();
        bytes.crc(crc, from, to);
        return (int) crc.getValue();
    }

    private static void assertSameBytes(byte[] expected, FileBytes bytes) throws Exception {
        assertEquals(SIZE, bytes.size());
        ByteBuffer le = ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN);
        for (int at : new int[] {0, 7, 999, 65_535, 65_536 - 3, 131_072, 199_999, SIZE - 8}) {
            assertEquals(le.getLong(at), bytes.u64(at), "u64 at " + at);
        }
        for (int[] range : new int[][] {{0, SIZE}, {3, 70_000}, {65_530, 65_545}, {100, 100}, {250_000, SIZE}}) {
            assertEquals(crc(expected, range[0], range[1]), crc(bytes, range[0], range[1]),
                    "crc of " + range[0] + ".." + range[1]);
        }
        assertTrue(bytes.allZero(1000, 200_000));
        assertTrue(bytes.allZero(5000, 5000));
        assertFalse(bytes.allZero(999, 200_000));
        assertFalse(bytes.allZero(1000, 200_001));
        assertFalse(bytes.allZero(150_000, SIZE));
        MemorySegment view = bytes.view(65_530, 20);
        assertArrayEquals(java.util.Arrays.copyOfRange(expected, 65_530, 65_550), view.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void aWindowOverAChannelGivesTheFilesBytes() throws Exception {
        byte[] expected = content();
        Path file = Files.write(dir.resolve("f"), expected);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int capacity : new int[] {64, 1000, 65_536, FileWindow.CAPACITY}) {
                FileWindow window = new FileWindow(channel, "f", SIZE, capacity);
                assertEquals(Math.min(capacity, SIZE), window.maxView(), "capacity " + capacity);
                assertSameBytes(expected, window);
            }
            FileWindow small = new FileWindow(channel, "f", 10);
            assertEquals(64, small.maxView(), "never smaller than 64 bytes");
            FileWindow window = new FileWindow(channel, "f", SIZE, 64);
            IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class, () -> window.view(SIZE - 4, 8));
            assertEquals("f: view of 8 bytes at 299996 in a file of 300000 bytes through a window of 64", past.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> window.view(0, 65));
            assertThrows(IndexOutOfBoundsException.class, () -> window.view(-1, 8));
            assertEquals(ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).getLong(SIZE - 8), window.u64(SIZE - 8));
        }
    }

    /** A channel whose positional reads hand out at most 7 bytes each, as a network file system may. */
    private static FileChannel sevenBytesPerRead(FileChannel real) {
        return new ForwardingFileChannel(real) {
            @Override
            public int read(ByteBuffer dst, long position) throws java.io.IOException {
                ByteBuffer some = dst.slice().limit(Math.min(dst.remaining(), 7));
                int n = super.read(some, position);
                if (n > 0) {
                    dst.position(dst.position() + n);
                }
                return n;
            }
        };
    }

    @Test
    void aWindowOverAChannelThatReadsAFewBytesAtATimeGivesTheFilesBytes() throws Exception {
        byte[] expected = content();
        Path file = Files.write(dir.resolve("f"), expected);
        try (FileChannel channel = sevenBytesPerRead(FileChannel.open(file, StandardOpenOption.READ))) {
            for (int capacity : new int[] {64, 1000}) {
                assertSameBytes(expected, new FileWindow(channel, "f", SIZE, capacity));
            }
        }
        try (FileChannel real = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
             FileChannel channel = sevenBytesPerRead(real)) {
            FileWindow window = new FileWindow(channel, "f", SIZE, 1024);
            real.truncate(100_000);
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> window.view(99_980, 64));
            assertEquals("f: the file shrank while it was read (truncated by another program?) at byte 100000",
                    e.getMessage(), "the byte where the reads stopped, after three short ones");
        }
    }

    /** A read that fails part-way through filling the window names the file and the byte where it failed. */
    @Test
    void aWindowWhoseReadFailsNamesTheByte() throws Exception {
        Path file = Files.write(dir.resolve("f"), content());
        try (FileChannel channel = new ForwardingFileChannel(FileChannel.open(file, StandardOpenOption.READ)) {
            private boolean readOnce;

            @Override
            public int read(ByteBuffer dst, long position) throws java.io.IOException {
                if (readOnce) {
                    throw new java.io.IOException("Input/output error");
                }
                readOnce = true;
                ByteBuffer some = dst.slice().limit(7);
                int n = super.read(some, position);
                dst.position(dst.position() + n);
                return n;
            }
        }) {
            FileWindow window = new FileWindow(channel, "f", SIZE, 1024);
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> window.view(100, 16));
            assertEquals("f: Input/output error at byte 107", e.getMessage(), "after the 7 bytes the first read gave");
        }
    }

    /**
     * A file being read into memory ({@link ReadingBytes}) gives the file's bytes to whichever
     * access comes first (a view, a checksum, a zero check, a word), each reading the file up to
     * where it ends first, in steps as small as a byte.
     */
    @Test
    void aFileReadAsItIsWalkedGivesTheFilesBytesToEveryFirstAccess() throws Exception {
        byte[] expected = content();
        Path file = Files.write(dir.resolve("f"), expected);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            for (long step : new long[] {1, 64}) {
                java.util.function.Supplier<ReadingBytes> fresh = () -> new ReadingBytes(channel, arena.allocate(SIZE), file, step);
                assertArrayEquals(java.util.Arrays.copyOfRange(expected, 65_530, 65_550),
                        fresh.get().view(65_530, 20).toArray(ValueLayout.JAVA_BYTE), "a view first");
                assertEquals(crc(expected, 3, 70_000), crc(fresh.get(), 3, 70_000), "a checksum first");
                assertFalse(fresh.get().allZero(999, 200_000), "a zero check first");
                assertEquals(ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).getLong(SIZE - 8), fresh.get().u64(SIZE - 8));
                assertSameBytes(expected, fresh.get());
            }
        }
    }

    /** A read that fails while the file is read into memory names the file and the byte. */
    @Test
    void aFileReadIntoMemoryWhoseReadFailsNamesTheByte() throws Exception {
        Path file = Files.write(dir.resolve("f"), content());
        try (FileChannel channel = new ForwardingFileChannel(FileChannel.open(file, StandardOpenOption.READ)) {
            @Override
            public int read(ByteBuffer dst, long position) throws java.io.IOException {
                if (position > 0) {
                    throw new java.io.IOException("Input/output error");
                }
                ByteBuffer some = dst.slice().limit(7);
                int n = super.read(some, position);
                dst.position(dst.position() + n);
                return n;
            }
        }; Arena arena = Arena.ofConfined()) {
            ReadingBytes bytes = new ReadingBytes(channel, arena.allocate(SIZE), file, 64);
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> bytes.u64(0));
            assertEquals(file + ": Input/output error at byte 7", e.getMessage());
        }
    }

    /**
     * A window that hopped (a 64 KiB read far from where it was) and is then asked for bytes just
     * past what it holds reads them: it never answers from bytes an earlier read left in its buffer.
     */
    @Test
    void aWindowNeverAnswersFromAnEarlierReadsBytes() throws Exception {
        int size = 3 * FileWindow.CAPACITY;
        ByteBuffer offsets = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at < size; at += 8) {
            offsets.putLong(at, at); // the word at each offset says the offset
        }
        Path file = Files.write(dir.resolve("f"), offsets.array());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            FileWindow window = new FileWindow(channel, "f", size);
            long far = 2L * FileWindow.CAPACITY;
            for (long at : new long[] {0, far, far + 64 * 1024, far + 64 * 1024 + 8, 64 * 1024, 8}) {
                assertEquals(at, window.u64(at), "the word at " + at);
            }
        }
    }

    @Test
    void aWindowOverAFileThatShrankSaysSo() throws Exception {
        Path file = Files.write(dir.resolve("f"), content());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileWindow window = new FileWindow(channel, "f", SIZE, 1024);
            channel.truncate(100_000);
            java.io.IOException e = assertThrows(java.io.IOException.class, () -> window.u64(100_000));
            assertEquals("f: the file shrank while it was read (truncated by another program?) at byte 100000",
                    e.getMessage());
        }
    }

    @Test
    void aBlockOfMemoryAndAMappingGiveTheSameBytes() throws Exception {
        byte[] expected = content();
        assertSameBytes(expected, SegmentBytes.owned(MemorySegment.ofArray(expected), "f"));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment offHeap = arena.allocate(SIZE);
            MemorySegment.copy(expected, 0, offHeap, ValueLayout.JAVA_BYTE, 0, SIZE);
            assertSameBytes(expected, SegmentBytes.owned(offHeap, "f"));
            assertSameBytes(expected, SegmentBytes.mapped(offHeap, "f"));
            assertEquals(Long.MAX_VALUE, SegmentBytes.mapped(offHeap, "f").maxView());
        }
        Path file = Files.write(dir.resolve("f"), expected);
        try (Arena arena = Arena.ofConfined(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            assertSameBytes(expected, SegmentBytes.mapped(channel.map(FileChannel.MapMode.READ_ONLY, 0, SIZE, arena), "f"));
        }
    }
}
