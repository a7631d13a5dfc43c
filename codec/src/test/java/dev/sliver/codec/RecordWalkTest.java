package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.sliver.codec.Records.concat;
import static dev.sliver.codec.Records.words;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The torn-tail rule of FORMAT.md, byte by byte: how a walk over a file's bytes ends (CLEAN, TORN
 * or CORRUPT), where, and with which reason, for every field of a tail that can prove it is not
 * what one interrupted append leaves, and for fields in sectors that never reached the disk.
 */
class RecordWalkTest {
    @TempDir
    Path dir;

    /** A complete record of one blob of {@code n} bytes of 0x5a: {@code 24 + n} bytes. */
    private static byte[] record(int n) throws IOException {
        byte[] blob = new byte[n];
        Arrays.fill(blob, (byte) 0x5a);
        return Records.serialize(List.of(blob));
    }

    /** The result of walking {@code bytes}: the headers found, and the walk itself at its end. */
    private record Walked(List<RecordHeader> headers, RecordWalk walk) {
        RecordWalk.End end() {
            return walk.end();
        }

        String reason() {
            return walk.corruption().reason();
        }
    }

    private static Walked walk(byte[] bytes) throws IOException {
        return walk(SegmentBytes.owned(MemorySegment.ofArray(bytes), "f"));
    }

    private static Walked walk(FileBytes bytes) throws IOException {
        RecordWalk walk = new RecordWalk(bytes, "f", 0, 0, false);
        List<RecordHeader> headers = new ArrayList<>();
        for (RecordHeader header = walk.next(); header != null; header = walk.next()) {
            headers.add(header);
        }
        assertNull(walk.next(), "a walk that ended stays ended");
        return new Walked(headers, walk);
    }

    private static void assertCorrupt(Walked walked, long offset, String reason) {
        assertEquals(RecordWalk.End.CORRUPT, walked.end());
        CorruptRecordException e = walked.walk.corruption();
        assertEquals(offset, e.offset(), e.getMessage());
        assertEquals(reason, e.reason());
    }

    private static void assertTorn(Walked walked, int records, long at) {
        assertEquals(RecordWalk.End.TORN, walked.end(), () -> walked.walk.corruption() == null ? "" : walked.reason());
        assertEquals(records, walked.headers.size());
        assertEquals(at, walked.walk.position());
        assertEquals(records, walked.walk.index());
        assertNull(walked.walk.corruption());
    }

    @Test
    void anEmptyFileAndWholeRecordsEndClean() throws Exception {
        Walked empty = walk(new byte[0]);
        assertEquals(RecordWalk.End.CLEAN, empty.end());
        assertEquals(0, empty.walk.position());

        Walked two = walk(concat(record(3), record(0)));
        assertEquals(RecordWalk.End.CLEAN, two.end());
        assertEquals(List.of(new RecordHeader(0, 19, 1), new RecordHeader(27, 16, 1)), two.headers());
        assertEquals(51, two.walk.position());
        assertEquals(2, two.walk.index());
        assertNull(two.walk.corruption());
    }

    @Test
    void aWalkStartsWhereItIsTold() throws Exception {
        byte[] bytes = concat(record(3), record(5), record(7));
        RecordWalk walk = new RecordWalk(SegmentBytes.owned(MemorySegment.ofArray(bytes), "f"), "f", 27, 1, false);
        assertEquals(RecordWalk.End.NONE, walk.end());
        assertEquals(new RecordHeader(27, 21, 1), walk.next());
        assertEquals(2, walk.index());
        assertEquals(56, walk.position());
        assertEquals(new RecordHeader(56, 23, 1), walk.next());
        assertNull(walk.next());
        assertEquals(RecordWalk.End.CLEAN, walk.end());
        assertEquals(3, walk.index());
    }

    @Test
    void aFileThatDoesNotStartWithARecordIsNotARecordFile() throws Exception {
        assertTorn(walk(new byte[8]), 0, 0); // zeros: a power loss before the first record reached the disk
        assertTorn(walk(new byte[40]), 0, 0);
        String notHeader = "not a record file: it does not start with a record (its first bytes are not a record header)";
        assertCorrupt(walk("notes: a text".getBytes(java.nio.charset.StandardCharsets.US_ASCII)), 0, notHeader);
        assertCorrupt(walk(concat(new byte[8], words(3))), 0, "not a record file: it does not start with a record "
                + "(total_length 0 is smaller than the 8-byte count field)"); // a zero first header
        assertCorrupt(walk(words(4, 0)), 0,
                "not a record file: it does not start with a record (total_length 4 is smaller than the 8-byte count field)");
        assertCorrupt(walk(words(16, 5)), 0, "not a record file: it does not start with a record (its count 5 does "
                + "not fit its total_length 16)");
        assertCorrupt(walk(words(8, 1)), 0, "not a record file: it does not start with a record (count 1 needs more "
                + "length fields than fit in total_length 8)");
    }

    @Test
    void aPartialHeaderAfterARecordIsTornUnlessItsTotalIsImpossible() throws Exception {
        byte[] first = record(3);
        assertTorn(walk(concat(first, new byte[] {9, 9, 9, 9, 9})), 1, 27); // less than a total_length
        assertTorn(walk(concat(first, words(100))), 1, 27); // a total_length alone, running past the end
        assertTorn(walk(concat(first, words(8))), 1, 27); // the smallest record, its count not there yet
        assertCorrupt(walk(concat(first, words(7))), 27, "record 1 runs past the end of the file (8 bytes left) but "
                + "is not what an interrupted append leaves: total_length 7 is smaller than the 8-byte count field");
        assertCorrupt(walk(concat(first, words(7), new byte[3])), 27, "record 1 runs past the end of the file (11 bytes "
                + "left) but is not what an interrupted append leaves: total_length 7 is smaller than the 8-byte count field");
    }

    @Test
    void aCountThatCannotFitItsTotalIsCorruption() throws Exception {
        byte[] first = record(3);
        assertTorn(walk(concat(first, words(100, 11))), 1, 27); // 11 lengths fill 96 of the 100 bytes: fits
        assertCorrupt(walk(concat(first, words(100, 12))), 27, "record 1 runs past the end of the file (16 bytes left) "
                + "but is not what an interrupted append leaves: its count 12 does not fit its total_length 100");
        long huge = (RecordHeader.MAX_COUNT + 1L) * 8 + 8;
        assertCorrupt(walk(concat(first, words(huge, RecordHeader.MAX_COUNT + 1L))), 27, "record 1 runs past the end of "
                + "the file (16 bytes left) but is not what an interrupted append leaves: its count "
                + (RecordHeader.MAX_COUNT + 1L) + " does not fit its total_length " + huge);
        long most = RecordHeader.MAX_COUNT * 8L + 8; // the most blobs a record may have: a torn start of one is torn
        assertTorn(walk(concat(first, words(most, RecordHeader.MAX_COUNT))), 1, 27);
        assertCorrupt(walk(concat(first, words(-8, -1))), 27, "record 1 runs past the end of the file (16 bytes left) "
                + "but is not what an interrupted append leaves: its count 18446744073709551615 does not fit its "
                + "total_length 18446744073709551608");
    }

    @Test
    void lengthsThatCannotFitOrDoNotAddUpAreCorruption() throws Exception {
        byte[] first = record(3);
        // total 34: count 2, 16 bytes of lengths, 10 bytes of payload
        assertTorn(walk(concat(first, words(34, 2, 3))), 1, 27); // the table cut short: what is there fits
        assertTorn(walk(concat(first, words(34, 2, 3, 7))), 1, 27); // the whole table adds up, the payload is missing
        assertTorn(walk(concat(first, words(34, 2, 3, 7), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9})), 1, 27);
        assertTorn(walk(concat(first, words(34, 2, 10, 0))), 1, 27);
        assertCorrupt(walk(concat(first, words(34, 2, 11))), 27, "record 1 runs past the end of the file (24 bytes "
                + "left) but is not what an interrupted append leaves: the length of blob 0 (11) exceeds what its "
                + "total_length 34 leaves");
        assertCorrupt(walk(concat(first, words(34, 2, 4, 7))), 27, "record 1 runs past the end of the file (32 bytes "
                + "left) but is not what an interrupted append leaves: the length of blob 1 (7) exceeds what its "
                + "total_length 34 leaves");
        assertCorrupt(walk(concat(first, words(34, 2, 3, 6))), 27, "record 1 runs past the end of the file (32 bytes "
                + "left) but is not what an interrupted append leaves: its lengths add up to 9 payload bytes but its "
                + "total_length 34 says 10");
        assertCorrupt(walk(concat(first, words(34, 2, -1))), 27, "record 1 runs past the end of the file (24 bytes "
                + "left) but is not what an interrupted append leaves: the length of blob 0 (18446744073709551615) "
                + "exceeds what its total_length 34 leaves");
    }

    @Test
    void aCompleteRecordWithBadLengthsIsCorruptionWithTheReadersReason() throws Exception {
        byte[] first = record(3);
        byte[] bad = concat(words(34, 2, 3, 6), new byte[10]); // complete, but its lengths add up to 9
        assertCorrupt(walk(concat(first, bad)), 43, "lengths sum to 9 but the record has 10 payload bytes");
        assertEquals("f (record 1): lengths sum to 9 but the record has 10 payload bytes at byte 43",
                walk(concat(first, bad)).walk.corruption().getMessage());
        byte[] tooLong = concat(words(34, 2, 3, 8), new byte[10]);
        assertCorrupt(walk(concat(first, tooLong, record(1))), 51,
                "length of blob 1 (8) exceeds the 7 payload bytes left; lengths must sum to 10");
        assertCorrupt(walk(concat(first, words(34, 4), new byte[26])), 35,
                "count 4 needs more length fields than fit in total_length 34");
    }

    /** A record of {@code n} bytes in all, so that the tail starts where a test needs it. */
    private static byte[] recordOfSize(int n) throws IOException {
        return record(n - 24);
    }

    @Test
    void aZeroTotalInASectorThatNeverReachedTheDiskIsTorn() throws Exception {
        byte[] first = recordOfSize(512);
        byte[] lostSector = new byte[512];
        byte[] nextSector = new byte[512];
        nextSector[100] = 1;
        assertTorn(walk(concat(first, lostSector, nextSector)), 1, 512);
        byte[] written = new byte[512]; // the zero total shares its sector with a written byte: it was written
        written[300] = 1;
        assertCorrupt(walk(concat(first, written, nextSector)), 512, "total_length 0 is smaller than the 8-byte count field");
        byte[] rightAfter = new byte[512];
        rightAfter[8] = 7;
        assertCorrupt(walk(concat(first, rightAfter, nextSector)), 512, "total_length 0 is smaller than the 8-byte count field");
    }

    @Test
    void aTotalThatStraddlesTwoSectorsIsLostIfTheTailsPartOfEitherIsAllZero() throws Exception {
        byte[] first = recordOfSize(1020); // the tail's total_length covers bytes 1020..1028: sectors 512 and 1024
        byte[] tail = new byte[4 + 512 + 512];
        tail[4 + 100] = 1; // sector [1024, 1536) holds a written byte; [512, 1024) holds the record's end and 4 zeros
        assertTorn(walk(concat(first, tail)), 1, 1020);
        byte[] total = tail.clone();
        total[2] = 1; // total_length 65536, and count 0 in a written sector: zero lengths do not add up to it
        assertCorrupt(walk(concat(first, total)), 1020, "record 1 runs past the end of the file (1028 bytes left) but "
                + "is not what an interrupted append leaves: its lengths add up to 0 payload bytes but its total_length "
                + "65536 says 65528");
    }

    @Test
    void aZeroCountInALostSectorIsUnknownElseItMustAddUp() throws Exception {
        byte[] first = recordOfSize(1016); // the tail's total at 1016..1024, its count at 1024..1032: the next sector
        byte[] lost = concat(words(1000), new byte[512], new byte[] {1});
        assertTorn(walk(concat(first, lost)), 1, 1016);
        byte[] written = lost.clone();
        written[8 + 200] = 1; // the count's sector holds a written byte: count 0 was written, and 0 lengths add up to 0
        assertCorrupt(walk(concat(first, written)), 1016, "record 1 runs past the end of the file (521 bytes left) but "
                + "is not what an interrupted append leaves: its lengths add up to 0 payload bytes but its total_length "
                + "1000 says 992");
    }

    @Test
    void aZeroLengthInALostSectorMakesTheSumUnknown() throws Exception {
        byte[] first = recordOfSize(1000); // the tail at 1000: total, count, length 0 at 1016, length 1 at 1024
        // total 8 + 16 + 1000: lengths 500 and 500; here length 1 reads 0 in a sector that never reached the disk
        byte[] tail = concat(words(1024, 2, 500, 0), new byte[504], new byte[] {1});
        assertTorn(walk(concat(first, tail)), 1, 1000);
        byte[] written = tail.clone();
        written[32 + 100] = 1; // that sector was written: the lengths 500 + 0 do not add up to 1000
        assertCorrupt(walk(concat(first, written)), 1000, "record 1 runs past the end of the file (537 bytes left) but "
                + "is not what an interrupted append leaves: its lengths add up to 500 payload bytes but its total_length "
                + "1024 says 1000");
    }

    @Test
    void aZeroLengthEndingOnASectorBoundaryIsJudgedByItsOwnSectorAlone() throws Exception {
        byte[] first = recordOfSize(1000); // the tail at 1000: total, count 1, length 0 at 1016..1024
        // The length's sector [512, 1024) holds the tail's written total and count, so its 0 was
        // written; the all-zero sector after it says nothing about it, and 0 does not add up to 1000.
        byte[] tail = concat(words(1016, 1, 0), new byte[512]);
        assertCorrupt(walk(concat(first, tail)), 1000, "record 1 runs past the end of the file (536 bytes left) but "
                + "is not what an interrupted append leaves: its lengths add up to 0 payload bytes but its total_length "
                + "1016 says 1000");
    }

    @Test
    void aLengthTableLargerThanTheWindowIsCheckedPieceByPiece() throws Exception {
        int count = 20;
        long[] fields = new long[2 + count];
        fields[0] = 8 + 8L * count + 2 * count;
        fields[1] = count;
        Arrays.fill(fields, 2, 2 + count, 2);
        byte[] good = concat(words(fields), new byte[2 * count]);
        Path file = dir.resolve("f");
        Files.write(file, concat(record(1), good, record(2)));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Walked walked = walk(new FileWindow(channel, "f", channel.size(), 64));
            assertEquals(RecordWalk.End.CLEAN, walked.end());
            assertEquals(List.of(new RecordHeader(0, 17, 1), new RecordHeader(25, fields[0], count),
                    new RecordHeader(25 + 8 + fields[0], 18, 1)), walked.headers());
        }
        fields[2 + 13] = 30; // blob 13, in the table's second 64-byte piece
        Files.write(file, concat(record(1), words(fields), new byte[2 * count], record(2)));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            assertCorrupt(walk(new FileWindow(channel, "f", channel.size(), 64)), 41 + 8 * 13,
                    "length of blob 13 (30) exceeds the 14 payload bytes left; lengths must sum to 40");
        }
        fields[2 + 13] = 2;
        fields[2 + 19] = 1; // blob 19, in the third piece: the lengths add up to 39
        Files.write(file, concat(record(1), words(fields), new byte[2 * count], record(2)));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            assertCorrupt(walk(new FileWindow(channel, "f", channel.size(), 64)), 41,
                    "lengths sum to 39 but the record has 40 payload bytes");
        }
    }
}
