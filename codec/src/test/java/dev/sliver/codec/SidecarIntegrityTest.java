package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The sidecar FILE.idx: checksums written by the appender, checked on demand, rebuilt when missing, never trusted blindly. */
class SidecarIntegrityTest {
    @TempDir
    Path dir;

    private List<RecordAppender.Appended> write(Path file, int records) throws Exception {
        List<RecordAppender.Appended> acks = new ArrayList<>();
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            for (int i = 0; i < records; i++) {
                acks.add(appender.append(AppendUntilKilled.blobs(i)));
            }
        }
        return acks;
    }

    private static void flipByte(Path file, long at) throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ 0x10);
        }
    }

    @ParameterizedTest
    @EnumSource(RecordFile.Mode.class)
    void aFlippedPayloadBitIsFoundAndNamed(RecordFile.Mode mode) throws Exception {
        Path file = dir.resolve("log.strg");
        List<RecordAppender.Appended> acks = write(file, 10);
        assertEquals(8 + 10 * 24, Files.size(RecordFiles.sidecarOf(file)));
        try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
            assertEquals(10, records.checksummedRecords());
            assertEquals(10, records.verify());
        }
        RecordAppender.Appended victim = acks.get(6);
        flipByte(file, victim.offset() + victim.bytes() - 1); // the last payload byte of record 6
        try (RecordFile records = RecordFile.open(file, mode, ReadOptions.defaults())) {
            CorruptRecordException e = assertThrows(CorruptRecordException.class, records::verify);
            assertTrue(e.getMessage().startsWith(file + ": record 6: CRC32C 0x"), e.getMessage());
            assertTrue(e.getMessage().endsWith(" at byte " + victim.offset()), e.getMessage());
            assertThrows(CorruptRecordException.class, () -> records.getVerified(6));
            try (Batch fine = records.getVerified(5)) {
                assertEquals(AppendUntilKilled.blobs(5).size(), fine.size());
            }
        }
    }

    @Test
    void aMissingOrLaggingSidecarIsRebuiltFromTheData() throws Exception {
        Path file = dir.resolve("log.strg");
        write(file, 5);
        Path sidecar = RecordFiles.sidecarOf(file);
        Files.delete(sidecar);
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(0, records.checksummedRecords(), "no sidecar: nothing to verify against");
            assertEquals(0, records.verify());
        }
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            appender.append(AppendUntilKilled.blobs(5));
        }
        try (FileChannel idx = FileChannel.open(sidecar, StandardOpenOption.WRITE)) {
            idx.truncate(8 + 3 * 24 + 10); // three entries and a torn fourth
        }
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(3, records.checksummedRecords(), "a torn entry is dropped, the lagging rest not invented");
        }
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(6, appender.records());
        }
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(6, records.checksummedRecords(), "extended from the data");
            assertEquals(6, records.verify());
        }
    }

    @Test
    void aSidecarThatDisagreesWithTheDataIsNotTrusted() throws Exception {
        Path file = dir.resolve("log.strg");
        write(file, 4);
        Path sidecar = RecordFiles.sidecarOf(file);
        try (RandomAccessFile raf = new RandomAccessFile(sidecar.toFile(), "rw")) {
            raf.seek(8 + 2 * 24 + 8); // entry 2's size
            raf.write(new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
        }
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(2, records.checksummedRecords(), "entries 0 and 1 agree; from entry 2 on nothing is trusted");
            assertEquals(4, records.size(), "the data is the authority: every record is still there");
        }
        assertEquals(java.util.List.of((long) 4, Files.size(file), (long) 0), Records.summary(RecordFiles.repair(file, false)));
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(4, records.checksummedRecords(), "repair rebuilt the disagreeing entries from the data");
            assertEquals(4, records.verify());
        }
        Files.write(sidecar, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(0, records.checksummedRecords(), "a file that is not a sidecar is reported and ignored");
        }
    }

    @Test
    void aMappedOpenTakesPlacesFromTheSidecarAndChecksEachRecordWhenTaken() throws Exception {
        Path file = dir.resolve("log.strg");
        List<RecordAppender.Appended> acks = write(file, 8);
        Codec.write(file, List.of("unindexed".getBytes())); // the sidecar lags by one record: scanned
        try (RecordFile records = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
            assertEquals(9, records.size());
            for (int i = 0; i < 8; i++) {
                assertEquals(acks.get(i).offset(), records.offset(i));
                try (Batch batch = records.get(i)) {
                    assertEquals(AppendUntilKilled.blobs(i).size(), batch.size());
                }
            }
            try (Batch last = records.get(8)) {
                assertEquals("unindexed", new String(last.get(0).toByteArray()));
            }
            assertEquals(8, records.verify());
        }
        // A header that no longer matches its entry: found when the record is taken, not trusted.
        RecordAppender.Appended third = acks.get(3);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(third.offset() + 8); // its count
            raf.write(200);
        }
        try (RecordFile records = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> records.get(3));
            CorruptRecordException cause = (CorruptRecordException) e.getCause();
            assertTrue(cause.getMessage().startsWith(file + " (record 3): "), cause.getMessage());
            try (Batch fine = records.get(2)) {
                assertEquals(AppendUntilKilled.blobs(2).size(), fine.size());
            }
            assertThrows(CorruptRecordException.class, records::verify);
        }
        assertThrows(CorruptRecordException.class, () -> RecordFile.open(file, RecordFile.Mode.READ, ReadOptions.defaults()),
                "READ mode scans every header at open");
    }
}
