package dev.sliver.codec;

import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When appenders write sidecar entries (FORMAT.md: "An entry proves its record durable"): FORCE
 * right after each force, NONE at force() and close() only, group commit after each
 * group's force; and a rebuilt sidecar keeps the checksums of the entries that agreed.
 */
class AppenderEntriesTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("log.strg");
    }

    private long sidecarBytes() throws Exception {
        return Files.size(RecordFiles.sidecarOf(file()));
    }

    private static List<byte[]> blobs(int i) {
        return List.of(new byte[] {(byte) i});
    }

    @Test
    void forceWritesEachEntryRightAfterItsRecord() throws Exception {
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.FORCE)) {
            assertEquals(8, sidecarBytes(), "a new file's sidecar: the magic");
            for (int i = 0; i < 3; i++) {
                appender.append(blobs(i));
                assertEquals(8 + 24L * (i + 1), sidecarBytes());
            }
            assertEquals(3, appender.records());
            assertEquals(file(), appender.path());
        }
        assertEquals(new RecordFiles.Report(3, 75, RecordFiles.Tail.NONE, 0, 3, null, null), RecordFiles.verify(file()));
    }

    @Test
    void noneWritesEntriesOnlyOnForceAndClose() throws Exception {
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            for (int i = 0; i < 3; i++) {
                appender.append(blobs(i));
            }
            assertEquals(8, sidecarBytes(), "not forced: no entry yet");
            appender.force();
            assertEquals(8 + 24 * 3, sidecarBytes());
            for (int i = 3; i < 4096 + 5; i++) {
                appender.append(blobs(i));
            }
            assertEquals(8 + 24 * 3, sidecarBytes(), "more wait than the appender holds: the sidecar lags, nothing is forced");
            assertEquals(4096 + 5, appender.records());
        }
        assertEquals(8 + 24 * (4096 + 5), sidecarBytes(), "close forces the data, then writes every entry");
        RecordFiles.Report report = RecordFiles.verify(file());
        assertEquals(4096 + 5, report.checksummed());
        assertEquals(25L * (4096 + 5), report.validBytes());
    }

    @Test
    void aClosedAppenderRefusesAppendsAndClosesOnce() throws Exception {
        RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE);
        appender.append(blobs(0));
        appender.close();
        appender.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> appender.append(blobs(1)));
        assertEquals("appender of " + file() + " is closed", e.getMessage());
        assertThrows(IllegalStateException.class, appender::force);
        assertEquals(1, appender.records());
        try (RecordAppender again = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            assertEquals(1, again.records(), "the lock was released");
            assertEquals(new RecordAppender.Appended(25, 1, 25), again.appendSegments(
                    List.of(java.lang.foreign.MemorySegment.ofArray(new byte[] {7}))));
        }
    }

    @Test
    void groupCommitWritesEntriesAfterEachGroupsForce() throws Exception {
        GroupCommitAppender.Policy policy = new GroupCommitAppender.Policy(3, Duration.ofHours(1));
        GroupCommitAppender appender = GroupCommitAppender.open(file(), policy);
        try {
            CompletableFuture<RecordAppender.Appended> a = appender.append(blobs(0));
            CompletableFuture<RecordAppender.Appended> b = appender.append(blobs(1));
            assertEquals(8, sidecarBytes());
            assertEquals(2, appender.records());
            assertTrue(!a.isDone() && !b.isDone(), "not forced yet");
            CompletableFuture<RecordAppender.Appended> c = appender.appendSegments(
                    List.of(java.lang.foreign.MemorySegment.ofArray(new byte[] {2})));
            assertEquals(new RecordAppender.Appended(0, 0, 25), a.getNow(null));
            assertEquals(new RecordAppender.Appended(25, 1, 25), b.getNow(null));
            assertEquals(new RecordAppender.Appended(50, 2, 25), c.getNow(null));
            assertEquals(8 + 24 * 3, sidecarBytes());
            CompletableFuture<RecordAppender.Appended> d = appender.append(blobs(3));
            assertEquals(8 + 24 * 3, sidecarBytes());
            appender.close();
            assertEquals(new RecordAppender.Appended(75, 3, 25), d.getNow(null), "close forces what waits");
            assertEquals(8 + 24 * 4, sidecarBytes());
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> appender.append(blobs(4)));
            assertEquals("appender of " + file() + " is closed", e.getMessage());
        } finally {
            appender.close(); // a second close does nothing
        }
        assertEquals(new RecordFiles.Report(4, 100, RecordFiles.Tail.NONE, 0, 4, null, null), RecordFiles.verify(file()));
    }

    @Test
    void aGroupPolicyNeedsARecordAndAPositiveDelay() {
        assertEquals("group commit needs records >= 1 and a positive delay of at most PT24H, got 0, PT1S",
                assertThrows(IllegalArgumentException.class, () -> new GroupCommitAppender.Policy(0, Duration.ofSeconds(1)))
                        .getMessage());
        assertEquals("group commit needs records >= 1 and a positive delay of at most PT24H, got 1, PT0S",
                assertThrows(IllegalArgumentException.class, () -> new GroupCommitAppender.Policy(1, Duration.ZERO))
                        .getMessage());
        assertEquals("group commit needs records >= 1 and a positive delay of at most PT24H, got 1, PT-0.001S",
                assertThrows(IllegalArgumentException.class, () -> new GroupCommitAppender.Policy(1, Duration.ofMillis(-1)))
                        .getMessage());
        assertEquals(1, new GroupCommitAppender.Policy(1, Duration.ofNanos(1)).records());
        assertThrows(NullPointerException.class, () -> new GroupCommitAppender.Policy(1, null));
        assertThrows(NullPointerException.class, () -> GroupCommitAppender.open(file(), null));
        assertThrows(NullPointerException.class, () -> RecordAppender.open(file(), null));
    }

    @Test
    void aRebuiltSidecarKeepsTheChecksumsOfTheEntriesThatAgreed() throws Exception {
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.FORCE)) {
            for (int i = 0; i < 5; i++) {
                appender.append(blobs(i));
            }
        }
        Path sidecar = RecordFiles.sidecarOf(file());
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
            raf.seek(50 + 24); // record 2's payload: its structure stays whole, its checksum no longer matches
            raf.write(99);
        }
        ByteBuffer side = ByteBuffer.wrap(Files.readAllBytes(sidecar)).order(ByteOrder.LITTLE_ENDIAN);
        side.position(8 + 24 * 3);
        Sidecar.putEntry(side, 75, 26, side.getInt(8 + 24 * 3 + 16)); // entry 3 disagrees: 26 bytes, not 25
        byte[] damaged = side.array();
        Files.write(sidecar, damaged);

        RecordFiles.Report repaired = RecordFiles.repair(file(), false);
        assertEquals(new RecordFiles.Report(5, 125, RecordFiles.Tail.NONE, 0, 3, null, null), repaired);
        List<Path> aside;
        try (Stream<Path> files = Files.list(dir)) {
            aside = files.filter(p -> p.getFileName().toString().startsWith("log.strg.idx.set-aside-")).toList();
        }
        assertEquals(1, aside.size());
        assertArrayEquals(damaged, Files.readAllBytes(aside.get(0)), "set aside as it was");
        byte[] rebuilt = Files.readAllBytes(sidecar);
        assertEquals(8 + 24 * 5, rebuilt.length);
        assertArrayEquals(java.util.Arrays.copyOf(damaged, 8 + 24 * 3), java.util.Arrays.copyOf(rebuilt, 8 + 24 * 3),
                "the agreeing entries, copied with their checksums");
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordFiles.verify(file()));
        assertEquals(50, e.offset(), "the kept checksum still finds the damaged record 2");
        assertTrue(e.getMessage().contains(": record 2: CRC32C 0x"), e.getMessage());
    }

    @Test
    void aRebuildCopiesMoreAgreeingEntriesThanOneWriteHoldsUnchanged() throws Exception {
        int records = 3000; // the rebuild copies the first 2,950 entries in writes of 2,730
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            for (int i = 0; i < records; i++) {
                appender.append(blobs(i));
            }
        }
        Path sidecar = RecordFiles.sidecarOf(file());
        byte[] original = Files.readAllBytes(sidecar);
        ByteBuffer side = ByteBuffer.wrap(original.clone()).order(ByteOrder.LITTLE_ENDIAN);
        side.position(8 + 24 * 2950);
        Sidecar.putEntry(side, 25L * 2950, 26, side.getInt(8 + 24 * 2950 + 16)); // entry 2,950 disagrees
        Files.write(sidecar, side.array());

        assertEquals(new RecordFiles.Report(records, 25L * records, RecordFiles.Tail.NONE, 0, 2950, null, null),
                RecordFiles.repair(file(), false));
        assertArrayEquals(original, Files.readAllBytes(sidecar),
                "2,950 entries copied as they were, the other 50 computed again from the unchanged data");

        Files.delete(sidecar);
        assertEquals(new RecordFiles.Report(records, 25L * records, RecordFiles.Tail.NONE, 0, 0, null, null),
                RecordFiles.repair(file(), false));
        assertArrayEquals(original, Files.readAllBytes(sidecar), "3,000 entries computed again, in writes of 2,730");
    }

    @Test
    void aForeignSidecarIsMovedAsideAndRebuilt() throws Exception {
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.FORCE)) {
            appender.append(blobs(0));
            appender.append(blobs(1));
        }
        Path sidecar = RecordFiles.sidecarOf(file());
        Files.writeString(sidecar, "someone's file that happens to be named so");
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.FORCE)) {
            assertEquals(2, appender.records());
        }
        List<Path> aside;
        try (Stream<Path> files = Files.list(dir)) {
            aside = files.filter(p -> p.getFileName().toString().startsWith("log.strg.idx.set-aside-")).toList();
        }
        assertEquals(1, aside.size());
        assertEquals("someone's file that happens to be named so", Files.readString(aside.get(0)));
        assertEquals(new RecordFiles.Report(2, 50, RecordFiles.Tail.NONE, 0, 2, null, null), RecordFiles.verify(file()));
        assertEquals(8 + 2 * 24, Files.size(sidecar));
    }
}
