package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 A: a tail is cut only when it is what one interrupted append leaves; acknowledged
 * records (vouched for by the sidecar, or whole and consistent) are never cut, corruption is
 * reported and left alone unless repair is forced, which keeps what it cuts.
 */
class TornTailRuleTest {
    @TempDir
    Path dir;

    private List<RecordAppender.Appended> write(Path file, int n) throws Exception {
        List<RecordAppender.Appended> acks = new ArrayList<>();
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < n; i++) {
                acks.add(appender.append(AppendUntilKilled.blobs(i)));
            }
        }
        return acks;
    }

    private static void flipBit(Path file, long offset, int bit) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ (1 << bit));
        }
    }

    /** The reported case: one flipped bit in record 3's total_length made the next append cut records 3-9. */
    @ParameterizedTest
    @EnumSource(names = {"WITH_SIDECAR", "WITHOUT_SIDECAR"})
    void aFlippedTotalLengthIsCorruptionNeverATornTail(Sidecars sidecars) throws Exception {
        Path file = dir.resolve("log.strg");
        List<RecordAppender.Appended> acks = write(file, 10);
        if (sidecars == Sidecars.WITHOUT_SIDECAR) {
            Files.delete(RecordFiles.sidecarOf(file));
        }
        flipBit(file, acks.get(3).offset() + 5, 6); // total_length of record 3 now runs past the end
        byte[] before = Files.readAllBytes(file);

        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> RecordAppender.open(file, RecordAppender.Durability.FORCE).close());
        assertTrue(e.getMessage().contains("record 3"), e.getMessage());
        assertEquals(acks.get(3).offset(), e.offset());
        assertThrows(CorruptRecordException.class, () -> RecordFiles.repair(file, false));
        assertThrows(CorruptRecordException.class, () -> RecordFile.open(file, RecordFile.Mode.READ,
                ReadOptions.defaults()).close(), "READ walks every record at open");
        if (sidecars == Sidecars.WITHOUT_SIDECAR) {
            assertThrows(CorruptRecordException.class, () -> RecordFile.open(file, RecordFile.Mode.MAP,
                    ReadOptions.defaults()).close(), "MAP walks every record without a sidecar");
        } else { // MAP takes the places between the first and last entries from the sidecar: found when taken
            try (RecordFile mapped = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
                java.io.UncheckedIOException taken = assertThrows(java.io.UncheckedIOException.class, () -> mapped.get(3));
                assertEquals(acks.get(3).offset(), ((CorruptRecordException) taken.getCause()).offset());
                assertTrue(taken.getCause().getMessage().contains("record 3"), taken.getCause().getMessage());
                assertThrows(CorruptRecordException.class, mapped::verify);
            }
        }
        assertArrayEquals(before, Files.readAllBytes(file), "nothing was cut");
        RecordFiles.Report check = RecordFiles.check(file);
        assertEquals(RecordFiles.Tail.CORRUPT, check.tail());
        assertEquals(3, check.records());
    }

    enum Sidecars { WITH_SIDECAR, WITHOUT_SIDECAR }

    @Test
    void aFileThatDoesNotStartWithARecordIsNeverAppendedTo() throws Exception {
        for (String text : List.of("# notes\n\nSome text, long enough to fill a header or two.\n", "hi\n", "0123456789")) {
            Path notes = Files.writeString(dir.resolve("notes.md"), text);
            assertThrows(CorruptRecordException.class, () -> RecordAppender.open(notes, RecordAppender.Durability.FORCE));
            assertThrows(CorruptRecordException.class, () -> RecordFiles.repair(notes, false));
            assertEquals(text, Files.readString(notes), "the text is untouched");
            assertTrue(Files.notExists(RecordFiles.sidecarOf(notes)), "no sidecar written beside it");
        }
    }

    /** A power loss after the size reached the disk but not the data: zero bytes after the last forced record. */
    @Test
    void aZeroFilledTailAfterThePowerLossIsTornInEveryReaderAndTool() throws Exception {
        Path file = dir.resolve("log.strg");
        write(file, 5);
        long valid = Files.size(file);
        for (int zeros : new int[] {3, 16, 4096, 3 * 4096 + 17}) {
            Files.write(file, new byte[zeros], StandardOpenOption.APPEND);
            for (RecordFile.Mode mode : RecordFile.Mode.values()) {
                try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
                    assertEquals(5, records.size());
                    assertEquals(zeros, records.tornBytes());
                    assertEquals(5, records.verify());
                }
            }
            assertEquals(RecordFiles.Tail.TORN, RecordFiles.check(file).tail());
            if (zeros == 16) {
                assertEquals(List.of(5L, valid, 16L), Records.summary(RecordFiles.repair(file, false)));
            } else {
                try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
                    assertEquals(5, appender.records());
                }
            }
            assertEquals(valid, Files.size(file), "cut back to the last record");
        }
    }

    /** A torn append that had written its header, then zeros where its payload should be. */
    @Test
    void aRecordCutShortWithZerosAfterItsHeaderIsTorn() throws Exception {
        Path file = dir.resolve("log.strg");
        write(file, 2);
        long valid = Files.size(file);
        byte[] header = Records.words(8 + 8 + 8 + 100, 2, 60, 40); // a record of 132 bytes, of which 32 arrive
        Files.write(file, Records.concat(header, new byte[32]), StandardOpenOption.APPEND);
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(2, records.size());
        }
        assertEquals(List.of(2L, valid, 64L), Records.summary(RecordFiles.repair(file, false)));
    }

    @Test
    void forcedRepairSavesWhatItCutsAndKeepsTheChecksumsOfWhatItKeeps() throws Exception {
        Path file = dir.resolve("log.strg");
        List<RecordAppender.Appended> acks = write(file, 10);
        flipBit(file, acks.get(3).offset() + 5, 6);
        byte[] before = Files.readAllBytes(file);

        RecordFiles.Report report = RecordFiles.repair(file, true);
        assertEquals(RecordFiles.Tail.CORRUPT, report.tail());
        assertEquals(3, report.records());
        assertEquals(acks.get(3).offset(), report.validBytes());
        assertEquals(before.length - acks.get(3).offset(), report.tailBytes());
        assertEquals(dir.resolve("log.strg.lost-" + acks.get(3).offset()), report.savedTo());
        assertArrayEquals(Arrays.copyOfRange(before, (int) acks.get(3).offset(), before.length),
                Files.readAllBytes(report.savedTo()), "the cut bytes are kept, as fsck's lost+found");
        assertEquals(acks.get(3).offset(), Files.size(file));
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(3, records.size());
            assertEquals(3, records.verify(), "the kept records keep the checksums written when they were appended");
            try (Batch batch = records.get(2)) {
                assertEquals(AppendUntilKilled.blobs(2).size(), batch.size());
            }
        }
        assertEquals(1, Files.list(dir).filter(p -> p.getFileName().toString().startsWith("log.strg.idx.set-aside")).count(),
                "the sidecar that listed the cut records is set aside, not overwritten");
    }

    /** The data file lost records the sidecar lists (truncated by someone): never silently accepted. */
    @Test
    void recordsTheSidecarListsAreNeverSilentlyMissing() throws Exception {
        Path file = dir.resolve("log.strg");
        List<RecordAppender.Appended> acks = write(file, 6);
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(acks.get(4).offset()); // a clean cut at a record boundary: records 4 and 5 gone
        }
        CorruptRecordException e = assertThrows(CorruptRecordException.class,
                () -> RecordAppender.open(file, RecordAppender.Durability.NONE));
        assertTrue(e.getMessage().contains("record 4") && e.getMessage().contains("sidecar"), e.getMessage());
        assertThrows(CorruptRecordException.class, () -> RecordFile.open(file).close());
        assertThrows(CorruptRecordException.class, () -> RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults()).close());
        assertEquals(acks.get(4).offset(), Files.size(file));
    }
}
