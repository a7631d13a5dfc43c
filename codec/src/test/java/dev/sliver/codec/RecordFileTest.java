package dev.sliver.codec;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import dev.sliver.core.CountingAllocator;
import dev.sliver.core.Slice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class RecordFileTest {
    @TempDir
    Path dir;
    private final CountingAllocator counting = new CountingAllocator(ThreadCachingAllocator.shared());
    private final ReadOptions options = ReadOptions.defaults().withAllocator(counting);

    private List<List<byte[]>> writeRandom(Path file, int records) throws Exception {
        Random random = new Random(records);
        List<List<byte[]>> written = new ArrayList<>();
        for (int r = 0; r < records; r++) {
            List<byte[]> blobs = Records.randomBlobs(random);
            written.add(blobs);
            Codec.write(file, blobs);
        }
        return written;
    }

    private static void assertRecord(List<byte[]> expected, Batch batch) {
        List<byte[]> got = Records.toArrays(batch);
        assertEquals(expected.size(), got.size());
        for (int b = 0; b < got.size(); b++) {
            assertArrayEquals(expected.get(b), got.get(b), "blob " + b);
        }
    }

    @ParameterizedTest
    @EnumSource(RecordFile.Mode.class)
    void everyRecordIsAViewOfTheOneSegmentAndComesBackByIndex(RecordFile.Mode mode) throws Exception {
        Path file = dir.resolve("log.strg");
        List<List<byte[]>> written = writeRandom(file, 30);
        List<Long> scanned = new ArrayList<>();
        try (RecordScanner scan = RecordScanner.open(file)) {
            for (RecordHeader h; (h = scan.next((i, at, length) -> { })) != null; ) {
                scanned.add(h.offset());
            }
        }
        Batch kept;
        try (RecordFile records = RecordFile.open(file, mode, options)) {
            assertEquals(30, records.size());
            assertEquals(Files.size(file), records.validBytes());
            assertEquals(0, records.tornBytes());
            for (int i = 29; i >= 0; i--) { // random access, any order
                assertEquals(scanned.get(i), records.offset(i));
                try (Batch batch = records.get(i)) {
                    assertRecord(written.get(i), batch);
                }
            }
            int i = 0;
            for (Batch batch : records) {
                try (batch) {
                    assertRecord(written.get(i++), batch);
                }
            }
            kept = records.get(3);
        }
        assertRecord(written.get(3), kept); // a batch outlives its file
        Slice retained = kept.size() > 0 ? kept.get(0).retain() : null;
        kept.close();
        if (retained != null) {
            assertArrayEquals(written.get(3).get(0), retained.toByteArray(), "a retained slice outlives both");
            retained.release();
        }
        assertEquals(0, counting.outstandingSegments(), "the file's memory went back with the last release");
    }

    @ParameterizedTest
    @EnumSource(RecordFile.Mode.class)
    void aTornTailIsCutAtTheLastCompleteRecordForEveryCut(RecordFile.Mode mode) throws Exception {
        Path whole = dir.resolve("whole.strg");
        List<List<byte[]>> written = new ArrayList<>(List.of(List.of(new byte[] {1, 2}), List.of(new byte[] {3}, new byte[0])));
        for (List<byte[]> blobs : written) {
            Codec.write(whole, blobs);
        }
        long lastStart = Files.size(whole);
        Codec.write(whole, List.of(new byte[] {4, 5, 6}, new byte[] {7}));
        byte[] bytes = Files.readAllBytes(whole);
        for (int cut = (int) lastStart; cut < bytes.length; cut++) {
            Path torn = Files.write(dir.resolve("torn.strg"), Arrays.copyOf(bytes, cut));
            try (RecordFile records = RecordFile.open(torn, mode, options)) {
                assertEquals(2, records.size(), "cut at " + cut);
                assertEquals(lastStart, records.validBytes(), "cut at " + cut);
                assertEquals(cut - lastStart, records.tornBytes());
                for (int i = 0; i < 2; i++) {
                    try (Batch batch = records.get(i)) {
                        assertRecord(written.get(i), batch);
                    }
                }
            }
        }
        assertEquals(0, counting.outstandingSegments());
    }

    @ParameterizedTest
    @EnumSource(RecordFile.Mode.class)
    void aCompleteButInconsistentRecordIsCorruptionNamingTheRecord(RecordFile.Mode mode) throws Exception {
        Path file = dir.resolve("bad.strg");
        Codec.write(file, List.of(new byte[] {1}));
        Files.write(file, Records.words(8 + 8 + 4, 1, 5), java.nio.file.StandardOpenOption.APPEND);
        Files.write(file, new byte[4], java.nio.file.StandardOpenOption.APPEND);
        Files.write(file, Records.serialize(List.of(new byte[] {2})), java.nio.file.StandardOpenOption.APPEND);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordFile.open(file, mode, options));
        assertEquals(file + " (record 1): length of blob 0 (5) exceeds the 4 payload bytes left; lengths must sum to 4 at byte 41",
                e.getMessage());
        assertEquals(0, counting.outstandingSegments(), "nothing leaks from a failed open");
    }

    @Test
    void aClosedFileRefusesGetButItsBatchesLive() throws Exception {
        Path file = dir.resolve("one.strg");
        Codec.write(file, List.of("x".getBytes()));
        RecordFile records = RecordFile.open(file, RecordFile.Mode.READ, options);
        Batch batch = records.get(0);
        records.close();
        records.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> records.get(0));
        assertEquals("x", new String(batch.get(0).toByteArray()));
        batch.close();
        assertEquals(0, counting.outstandingSegments());
    }
}
