package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RecordWriter writes the same bytes to every kind of channel (gathering or not, more buffers
 * than one gathering write takes), its CRC32C is that of those bytes whatever memory the blobs
 * are in, and appendTo appends at the file's end.
 */
class RecordWriterTest {
    @TempDir
    Path dir;

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    @Test
    void everyChannelGetsTheSameBytesAndTheChecksumIsTheirs() throws Exception {
        Random random = new Random(3);
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 1500; i++) { // more than the 1,024 buffers one gathering write takes
            byte[] blob = new byte[i % 5 == 0 ? 0 : random.nextInt(40)];
            random.nextBytes(blob);
            blobs.add(blob);
        }
        byte[] big = new byte[200_000];
        random.nextBytes(big);
        blobs.add(big);
        byte[] expected = Records.serialize(blobs);

        for (String kind : List.of("heap", "direct", "segments")) {
            assertEquals(crc(expected), writer(kind, blobs).crc32c(), kind);
            RecordWriter toStream = writer(kind, blobs);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(expected.length, toStream.writeTo(Channels.newChannel(out)), kind);
            assertArrayEquals(expected, out.toByteArray(), kind);
            Path file = dir.resolve(kind);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                RecordWriter toFile = writer(kind, blobs);
                assertEquals(crc(expected), toFile.crc32c());
                assertEquals(expected.length, toFile.writeTo(channel), kind);
            }
            assertArrayEquals(expected, Files.readAllBytes(file), kind);
        }
    }

    private static RecordWriter writer(String kind, List<byte[]> blobs) {
        RecordWriter writer = new RecordWriter();
        for (byte[] blob : blobs) {
            switch (kind) {
                case "heap" -> writer.add(ByteBuffer.wrap(blob));
                case "direct" -> writer.add(ByteBuffer.allocateDirect(blob.length).put(blob).flip());
                default -> writer.add(MemorySegment.ofArray(blob));
            }
        }
        return writer;
    }

    @Test
    void aBlobMayBeSeveralBuffersAndTheirPositionsStay() throws Exception {
        ByteBuffer a = ByteBuffer.wrap(new byte[] {9, 1, 2});
        a.position(1);
        ByteBuffer b = ByteBuffer.allocateDirect(70_000);
        b.put(69_999, (byte) 7);
        RecordWriter writer = new RecordWriter().add(a, b).add();
        byte[] joined = new byte[70_002];
        joined[0] = 1;
        joined[1] = 2;
        joined[70_001] = 7;
        byte[] expected = Records.serialize(List.of(joined, new byte[0]));
        assertEquals(crc(expected), writer.crc32c());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(Channels.newChannel(out));
        assertArrayEquals(expected, out.toByteArray());
        assertEquals(1, a.position());
        assertEquals(0, b.position());
        RecordWriter empty = new RecordWriter();
        assertEquals(crc(Records.words(8, 0)), empty.crc32c());
        ByteBuffer oneEmptyDirect = ByteBuffer.allocateDirect(0);
        assertEquals(crc(Records.words(16, 1, 0)), new RecordWriter().add(oneEmptyDirect).crc32c());
    }

    /** A writer whose blobs exactly fill its length table (16, then 32 after it grew) is appended whole. */
    @Test
    void aWriterWhoseBlobsFillItsLengthTableIsAppendedWhole() throws Exception {
        Path file = dir.resolve("full.strg");
        List<List<byte[]>> records = new ArrayList<>();
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            for (int count : new int[] {16, 32}) {
                RecordWriter writer = new RecordWriter();
                List<byte[]> blobs = new ArrayList<>();
                for (int b = 0; b < count; b++) {
                    byte[] blob = {(byte) b, (byte) count};
                    blobs.add(blob);
                    writer.add(ByteBuffer.wrap(blob));
                }
                records.add(blobs);
                appender.append(writer);
            }
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (List<byte[]> blobs : records) {
            Codec.serialize(blobs, Channels.newChannel(expected));
        }
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(file));
    }

    @Test
    void appendToWritesAtTheFilesEndWhateverItsPosition() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[] {1, 2, 3, 4, 5});
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            channel.position(2);
            assertEquals(25, new RecordWriter().add(ByteBuffer.wrap(new byte[] {6})).appendTo(channel, "f"));
            assertEquals(30, channel.position());
            assertEquals(30, channel.size());
        }
        assertArrayEquals(Records.concat(new byte[] {1, 2, 3, 4, 5}, Records.serialize(List.of(new byte[] {6}))),
                Files.readAllBytes(file));
    }
    /**
     * A segment blob past 1 GiB goes out as several ByteBuffers (one holds at most 2 GiB). The
     * blob is a mapping of a sparse file, and the channel reads only the header and the blob's
     * last byte, so the test touches two pages, not a gigabyte.
     */
    @Test
    void aSegmentBlobLargerThanOneGibibyteIsWrittenWhole() throws Exception {
        long size = (1L << 30) + 3;
        Path file = dir.resolve("sparse");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE); java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            channel.write(ByteBuffer.wrap(new byte[] {42}), size - 1);
            MemorySegment blob = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            long[] written = {0};
            byte[] last = {0};
            java.nio.channels.WritableByteChannel counting = new java.nio.channels.WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) {
                    int n = src.remaining();
                    if (written[0] < RecordHeader.BYTES + RecordFormat.WORD) {
                        byte[] bytes = new byte[n];
                        src.get(bytes);
                        header.writeBytes(bytes);
                    } else if (n > 0) {
                        last[0] = src.get(src.limit() - 1);
                        src.position(src.limit());
                    }
                    written[0] += n;
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
            assertEquals(24 + size, new RecordWriter().add(blob).writeTo(counting));
            assertEquals(24 + size, written[0]);
            assertArrayEquals(Records.words(16 + size, 1, size), header.toByteArray());
            assertEquals(42, last[0], "the blob's last byte was written last");
        }
    }
}
