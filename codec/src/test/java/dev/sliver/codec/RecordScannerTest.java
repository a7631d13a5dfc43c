package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.sliver.codec.Records.words;
import static org.junit.jupiter.api.Assertions.*;

class RecordScannerTest {
    @TempDir
    Path dir;

    /** Blobs as (offset, length) pairs, the way the scanner reports them. */
    private static List<long[]> scanAll(RecordScanner scan, List<RecordHeader> headers) throws Exception {
        List<long[]> blobs = new ArrayList<>();
        for (RecordHeader h; (h = scan.next((i, at, length) -> blobs.add(new long[] {at, length}))) != null; ) {
            headers.add(h);
        }
        return blobs;
    }

    @Test
    void reportsEveryRecordAndBlobWhereTheReaderFindsThem() throws Exception {
        Path file = dir.resolve("many.strg");
        Random random = new Random(5);
        List<List<byte[]>> written = new ArrayList<>();
        for (int r = 0; r < 30; r++) {
            List<byte[]> blobs = Records.randomBlobs(random);
            written.add(blobs);
            Codec.write(file, blobs);
        }
        byte[] bytes = Files.readAllBytes(file);
        for (boolean stream : new boolean[] {false, true}) {
            List<RecordHeader> headers = new ArrayList<>();
            List<long[]> blobs;
            if (stream) {
                try (RecordScanner scan = new RecordScanner(Channels.newChannel(new ByteArrayInputStream(bytes)), "stream", 1 << 30)) {
                    blobs = scanAll(scan, headers);
                }
            } else {
                try (RecordScanner scan = RecordScanner.open(file)) {
                    blobs = scanAll(scan, headers);
                }
            }
            assertEquals(30, headers.size());
            assertEquals(bytes.length, headers.getLast().end());
            int b = 0;
            for (int r = 0; r < 30; r++) {
                assertEquals(written.get(r).size(), headers.get(r).count());
                for (byte[] blob : written.get(r)) {
                    long[] at = blobs.get(b++);
                    assertEquals(blob.length, at[1]);
                    assertArrayEquals(blob, java.util.Arrays.copyOfRange(bytes, (int) at[0], (int) (at[0] + at[1])));
                }
            }
        }
    }

    @Test
    void aTruncatedFileFailsAtEveryCutInsideTheLastRecord() throws Exception {
        Path file = dir.resolve("cut.strg");
        Codec.write(file, List.of(new byte[] {1, 2}));
        Codec.write(file, List.of(new byte[] {3}, new byte[] {4, 5, 6}));
        byte[] bytes = Files.readAllBytes(file);
        int firstEnd = 8 + 8 + 8 + 2;
        for (int cut = firstEnd + 1; cut < bytes.length; cut++) {
            Path part = Files.write(dir.resolve("part"), java.util.Arrays.copyOf(bytes, cut));
            try (RecordScanner scan = RecordScanner.open(part)) {
                assertNotNull(scan.next((i, at, length) -> { }), "the first record is whole");
                CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> scan.next((i, at, length) -> { }));
                assertTrue(e.getMessage().startsWith(part + ": "), e.getMessage());
                assertTrue(e.offset() >= firstEnd && e.offset() <= cut, "cut " + cut + ": " + e.getMessage());
            }
        }
    }

    @Test
    void aHugeSparseRecordIsScannedWithoutReadingItsPayload() throws Exception {
        long blob = 3L << 30;
        Path file = dir.resolve("sparse.strg");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(words(8 + 16 + blob, 2, 7, blob - 7));
            raf.setLength(32 + blob);
        }
        Codec.write(file, List.of("after".getBytes()));
        List<RecordHeader> headers = new ArrayList<>();
        try (RecordScanner scan = RecordScanner.open(file)) {
            List<long[]> blobs = scanAll(scan, headers);
            assertEquals(3, blobs.size());
            assertEquals(blob - 7, blobs.get(1)[1]);
        }
        assertEquals(2, headers.size());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.position(headers.get(1).offset());
            try (Batch last = Codec.deserialize(channel)) {
                assertEquals("after", new String(last.get(0).toByteArray()));
            }
        }
    }

    @Test
    void aClosedScannerSaysSo() throws Exception {
        Path file = dir.resolve("x.strg");
        Codec.write(file, List.of(new byte[1]));
        RecordScanner scan = RecordScanner.open(file);
        scan.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> scan.next((i, at, length) -> { }));
        assertEquals("scanner of " + file + " is closed", e.getMessage());
    }
    /** What a reader of {@code bytes} throws after its good records. */
    private static String readerFailure(RecordReader reader) {
        return assertThrows(CorruptRecordException.class, () -> {
            for (Batch batch = reader.next(); ; batch = reader.next()) {
                assertNotNull(batch, "the input ends cleanly");
                batch.close();
            }
        }).getMessage();
    }

    @Test
    void aBadRecordFailsTheScanAsItFailsTheReaderAndTheFileIsClosed() throws Exception {
        byte[] good = Records.serialize(List.of(new byte[] {1, 2, 3}, new byte[] {4}));
        List<byte[]> tails = List.of(
                Records.concat(words(8 + 16 + 5, 2, 1, 1), new byte[5]),  // lengths do not add up
                Records.concat(words(100, 1, 84), new byte[10]),           // runs past the end
                Records.concat(words(16, 2, 1), new byte[8]),              // count does not fit
                Records.concat(words(8 + 8 + 50, 1, 50), new byte[20]),    // ends in the payload
                words(100),                                                // ends after its total_length
                words(8 + 8 + 16 + 10, 2, 5));                            // ends in its length table
        for (byte[] tail : tails) {
            byte[] bytes = Records.concat(good, good, tail);
            Path file = Files.write(dir.resolve("bad.strg"), bytes);
            String expected;
            try (RecordReader reader = RecordReader.open(file, ReadOptions.defaults())) {
                expected = readerFailure(reader);
            }
            RecordScanner scan = RecordScanner.open(file);
            try (scan) {
                assertNotNull(scan.next((i, at, length) -> { }));
                assertNotNull(scan.next((i, at, length) -> { }));
                assertEquals(2L * good.length, scan.position());
                assertEquals(expected, assertThrows(CorruptRecordException.class,
                        () -> scan.next((i, at, length) -> { })).getMessage());
            }
            assertTrue(Records.openDescriptors(file) <= 0, "close closes the file the scanner opened");
            String fromStream = readerFailure(new RecordReader(Channels.newChannel(new ByteArrayInputStream(bytes)), "stream",
                    ReadOptions.defaults()));
            try (RecordScanner stream = new RecordScanner(Channels.newChannel(new ByteArrayInputStream(bytes)), "stream",
                    ReadOptions.DEFAULT_MAX_RECORD_BYTES)) {
                stream.next((i, at, length) -> { });
                stream.next((i, at, length) -> { });
                assertEquals(fromStream, assertThrows(CorruptRecordException.class,
                        () -> stream.next((i, at, length) -> { })).getMessage(), "a stream");
            }
        }
    }

    /** A record of more lengths than the scanner's buffer holds (8,192) is reported blob by blob: index, offset, length. */
    @Test
    void aRecordOfMoreLengthsThanOneBufferIsReportedBlobByBlob() throws Exception {
        List<byte[]> blobs = new ArrayList<>();
        for (int i = 0; i < 8195; i++) {
            blobs.add(new byte[i % 3]);
        }
        byte[] bytes = Records.serialize(blobs);
        Path file = Files.write(dir.resolve("wide.strg"), bytes);
        for (boolean stream : new boolean[] {false, true}) {
            List<long[]> seen = new ArrayList<>();
            try (RecordScanner scan = stream
                    ? new RecordScanner(Channels.newChannel(new ByteArrayInputStream(bytes)), "stream", 1 << 30)
                    : RecordScanner.open(file)) {
                RecordHeader header = scan.next((i, at, length) -> seen.add(new long[] {i, at, length}));
                assertEquals(8195, header.count());
                assertEquals(bytes.length, scan.position());
                assertNull(scan.next((i, at, length) -> fail("no second record")));
            }
            assertEquals(8195, seen.size());
            long offset = 16 + 8L * 8195;
            for (int i = 0; i < 8195; i++) {
                assertArrayEquals(new long[] {i, offset, i % 3}, seen.get(i), "blob " + i);
                offset += i % 3;
            }
        }
    }
}
