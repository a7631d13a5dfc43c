package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A record the sidecar lists is never silently missing (FORMAT.md: "An entry that chains past the
 * last complete record means an acknowledged record is missing or damaged"): the exact problem
 * for a file that ends there, a torn-looking tail there, and a bad record there, in every reader
 * and tool; and the same tails without an entry are torn.
 */
class SurveyTest {
    @TempDir
    Path dir;

    private Path write(int n) throws Exception {
        Path file = dir.resolve("log.strg");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < n; i++) {
                appender.append(List.of(new byte[] {(byte) i}));
            }
        }
        return file;
    }

    private static void truncate(Path file, long size) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
    }

    private static void assertCorruptEverywhere(Path file, RecordFiles.Report report) throws Exception {
        byte[] before = Files.readAllBytes(file);
        assertEquals(report, RecordFiles.check(file));
        assertEquals(report.problem(), assertThrows(CorruptRecordException.class, () -> RecordFiles.verify(file)).getMessage());
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            assertEquals(report.problem(), assertThrows(CorruptRecordException.class,
                    () -> RecordFile.open(file, mode, ReadOptions.defaults()).close()).getMessage(), mode.name());
        }
        assertThrows(CorruptRecordException.class, () -> RecordAppender.open(file, RecordAppender.Durability.NONE));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    /**
     * A reader takes the file's size, then reads the sidecar: an appender may add a record and its
     * entry in between. That entry lies past the bytes surveyed, but the file holds its record:
     * a live file, not a lost record (whole or half-written when the size was taken).
     */
    @Test
    void aRecordAppendedAfterTheSizeWasTakenIsNewNotMissing() throws Exception {
        Path file = write(4);
        for (long taken : new long[] {50, 60}) {
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file)) {
                Survey survey = Survey.of(new FileWindow(channel, file, taken), file, false, false, (i, h, v, c) -> { });
                assertEquals(2, survey.records, "taken at " + taken);
                assertEquals(50, survey.validBytes);
                assertEquals(taken == 50 ? RecordWalk.End.CLEAN : RecordWalk.End.TORN, survey.end);
                assertEquals(null, survey.corruption);
                assertEquals(2, survey.vouched);
                assertEquals(null, survey.sidecarProblem);
            }
        }
    }

    @Test
    void aFileThatEndsWhereTheSidecarListsMoreIsMissingRecords() throws Exception {
        Path file = write(4);
        truncate(file, 50);
        assertCorruptEverywhere(file, new RecordFiles.Report(2, 50, RecordFiles.Tail.CORRUPT, 0, 2, file + ": record 2 "
                + "(25 bytes) is listed in the sidecar, so it was durably acknowledged, but the file ends here (records "
                + "are missing or damaged) at byte 50", null));
    }

    @Test
    void aTornLookingTailWhereTheSidecarListsARecordIsMissingRecords() throws Exception {
        Path file = write(4);
        truncate(file, 60); // record 2 cut short: 10 of its 25 bytes
        assertCorruptEverywhere(file, new RecordFiles.Report(2, 50, RecordFiles.Tail.CORRUPT, 10, 2, file + ": record 2 "
                + "(25 bytes) is listed in the sidecar, so it was durably acknowledged, but what is here is not a complete "
                + "record (records are missing or damaged) at byte 50", null));
        Files.delete(RecordFiles.sidecarOf(file));
        assertEquals(new RecordFiles.Report(2, 50, RecordFiles.Tail.TORN, 10, 0, null, null), RecordFiles.check(file),
                "without an entry, the same tail is torn");
    }

    @Test
    void aZeroedRecordTheSidecarListsIsMissingNotTorn() throws Exception {
        Path file = write(4);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(50);
            raf.write(new byte[50]); // records 2 and 3: zeros, as a lost write leaves
        }
        assertCorruptEverywhere(file, new RecordFiles.Report(2, 50, RecordFiles.Tail.CORRUPT, 50, 2, file + ": record 2 "
                + "(25 bytes) is listed in the sidecar, so it was durably acknowledged, but what is here is not a complete "
                + "record (records are missing or damaged) at byte 50", null));
    }

    @Test
    void aLaggingSidecarVouchesForItsRecordsAndTheRestAreWalked() throws Exception {
        Path file = write(2);
        byte[] sidecarOfTwo = Files.readAllBytes(RecordFiles.sidecarOf(file));
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            appender.append(List.of(new byte[] {2}));
            appender.append(List.of(new byte[] {3}));
        }
        Files.write(RecordFiles.sidecarOf(file), sidecarOfTwo);
        Files.write(file, Records.words(100), StandardOpenOption.APPEND); // and a torn tail
        assertEquals(new RecordFiles.Report(4, 100, RecordFiles.Tail.TORN, 8, 2, null, null), RecordFiles.check(file));
        for (RecordFile.Mode mode : RecordFile.Mode.values()) {
            try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                assertEquals(4, records.size(), mode.name());
                assertEquals(2, records.checksummedRecords(), mode.name());
                assertEquals(100, records.validBytes(), mode.name());
                assertEquals(8, records.tornBytes(), mode.name());
                assertEquals(2, records.verify());
            }
        }
        truncate(file, 100);
        Files.write(file, Records.concat(Records.words(17, 3), new byte[9]), StandardOpenOption.APPEND); // count 3: cannot fit
        String problem = file + " (record 4): count 3 needs more length fields than fit in total_length 17 at byte 108";
        assertCorruptEverywhere(file, new RecordFiles.Report(4, 100, RecordFiles.Tail.CORRUPT, 25, 2, problem, null));
    }
}
