package dev.sliver.codec;

import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 20: in {@link RecordAppender.Durability#NONE} an append never forces, as a raw write
 * does not; when more entries wait than the appender holds, the sidecar lags behind the data and
 * {@code force()} / {@code close()} rebuild the missing entries from the records read back, after
 * forcing them. A crash while it lags loses nothing: the next open adds what the sidecar lacks.
 */
class LaggingSidecarTest {
    private static final int MANY = 10_000;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("log.strg");
    }

    private static List<byte[]> blobs(int i) {
        return List.of(new byte[] {(byte) i, (byte) (i >> 8)}, new byte[] {(byte) (i >> 16)});
    }

    private long sidecarEntries() throws IOException {
        return (Files.size(RecordFiles.sidecarOf(file())) - Sidecar.HEADER) / Sidecar.ENTRY;
    }

    /** Counts the data file's forces; the sidecar's writes fail from the moment {@code failSidecar} is set. */
    private static final class Watched implements Storage {
        final Path data;
        final AtomicInteger dataForces = new AtomicInteger();
        final AtomicBoolean failSidecar = new AtomicBoolean();

        Watched(Path data) {
            this.data = data;
        }

        @Override
        public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
            FileChannel real = FileChannel.open(path, options);
            if (path.equals(data)) {
                return new ForwardingFileChannel(real) {
                    @Override
                    public void force(boolean metaData) throws IOException {
                        dataForces.incrementAndGet();
                        super.force(metaData);
                    }
                };
            }
            if (path.equals(RecordFiles.sidecarOf(data))) {
                return new ForwardingFileChannel(real) {
                    @Override
                    public int write(ByteBuffer src, long position) throws IOException {
                        if (failSidecar.get()) {
                            throw new IOException("No space left on device");
                        }
                        return super.write(src, position);
                    }
                };
            }
            return real;
        }
    }

    @Test
    void noneAppendsNeverForceTheDataAndForceDoesOnce() throws Exception {
        Watched storage = new Watched(file());
        try (RecordAppender appender = RecordAppender.open(storage, file(), RecordAppender.Durability.NONE)) {
            int atOpen = storage.dataForces.get();
            for (int i = 0; i < MANY; i++) {
                appender.append(blobs(i));
            }
            assertEquals(atOpen, storage.dataForces.get(), "a raw write never forces; neither does a NONE append");
            appender.force();
            assertEquals(atOpen + 1, storage.dataForces.get());
            assertEquals(MANY, sidecarEntries(), "force wrote every entry, the lagging ones rebuilt from the data");
        }
        RecordFiles.Report report = RecordFiles.verify(file());
        assertEquals(MANY, report.records());
        assertEquals(MANY, report.checksummed());
    }

    @Test
    void groupCommitForcesOncePerGroupEvenForGroupsLargerThanTheEntriesItHolds() throws Exception {
        Watched storage = new Watched(file());
        List<CompletableFuture<RecordAppender.Appended>> acks = new ArrayList<>();
        try (GroupCommitAppender group = GroupCommitAppender.open(storage, file(),
                new GroupCommitAppender.Policy(MANY, Duration.ofHours(1)))) {
            int atOpen = storage.dataForces.get();
            for (int i = 0; i < MANY - 1; i++) {
                acks.add(group.append(blobs(i)));
            }
            assertEquals(atOpen, storage.dataForces.get(), "no force before the group is full");
            assertFalse(acks.getFirst().isDone());
            acks.add(group.append(blobs(MANY - 1)));
            assertEquals(atOpen + 1, storage.dataForces.get());
            assertEquals(MANY, sidecarEntries(), "the group's entries, written after its force");
            for (int i = 0; i < MANY; i++) {
                assertEquals(i, acks.get(i).getNow(null).index());
            }
        }
        assertEquals(MANY, RecordFiles.verify(file()).checksummed());
    }

    @Test
    void aCrashWhileTheSidecarLagsLosesNothing() throws Exception {
        Path copy = dir.resolve("crashed.strg");
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            for (int i = 0; i < MANY; i++) {
                appender.append(blobs(i));
            }
            assertEquals(0, sidecarEntries(), "nothing forced: no entry");
            try (RecordFile records = RecordFile.open(file())) {
                assertEquals(MANY, records.size(), "a reader sees every record while the sidecar lags");
            }
            // what a killed process leaves: the page cache, the appender's memory gone
            Files.copy(file(), copy);
            Files.copy(RecordFiles.sidecarOf(file()), RecordFiles.sidecarOf(copy));
        }
        try (RecordAppender reopened = RecordAppender.open(copy, RecordAppender.Durability.NONE)) {
            assertEquals(MANY, reopened.records());
        }
        assertEquals(MANY, RecordFiles.verify(copy).checksummed(), "the open rebuilt the missing entries");
        try (RecordFile records = RecordFile.open(copy)) {
            assertEquals(MANY, records.size());
            assertArrayEquals(blobs(MANY - 1).get(0), records.get(MANY - 1).get(0).toByteArray());
        }
    }

    @Test
    void closeListsEveryRecordAndAMappedOpenTrustsTheSidecar() throws Exception {
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            for (int i = 0; i < MANY; i++) {
                appender.append(blobs(i));
            }
        }
        assertEquals(MANY, sidecarEntries());
        try (RecordFile records = RecordFile.open(file(), RecordFile.Mode.MAP, ReadOptions.defaults())) {
            assertEquals(MANY, records.size());
            assertEquals(MANY, records.checksummedRecords());
            assertEquals(MANY, records.verify());
            for (int i : new int[] {0, 4095, 4096, 4097, MANY - 1}) {
                try (Batch batch = records.get(i)) {
                    assertEquals(Records.toArrays(batch).size(), 2);
                    assertArrayEquals(blobs(i).get(0), batch.get(0).toByteArray());
                }
            }
        }
    }

    @Test
    void forcesBetweenLaggingStretchesWriteEachEntryOnce() throws Exception {
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            int n = 0;
            for (int stretch : new int[] {5000, 3, 4096, 4097, 8192 + 1}) {
                for (int i = 0; i < stretch; i++) {
                    appender.append(blobs(n++));
                }
                appender.force();
                assertEquals(n, sidecarEntries(), "after a stretch of " + stretch);
            }
        }
        RecordFiles.Report report = RecordFiles.verify(file());
        assertEquals(report.records(), report.checksummed());
    }

    @Test
    void afterTheSidecarFailedAppendsGoOnAndTheNextOpenMendsIt() throws Exception {
        Watched storage = new Watched(file());
        try (RecordAppender appender = RecordAppender.open(storage, file(), RecordAppender.Durability.NONE)) {
            appender.append(blobs(0));
            storage.failSidecar.set(true);
            appender.force(); // the entry's write fails: logged, the sidecar is a cache
            for (int i = 1; i < MANY; i++) {
                assertEquals(i, appender.append(blobs(i)).index(), "record " + i);
            }
            assertEquals(MANY, appender.records());
            storage.failSidecar.set(false);
        }
        try (RecordAppender reopened = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            assertEquals(MANY, reopened.records());
        }
        assertEquals(MANY, RecordFiles.verify(file()).checksummed());
    }

    @Test
    void recordsChangedUnderTheAppenderBeforeTheirForceAreNotVouchedFor() throws Exception {
        RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE);
        try {
            for (int i = 0; i < MANY; i++) {
                appender.append(blobs(i));
            }
            try (FileChannel other = FileChannel.open(file(), java.nio.file.StandardOpenOption.WRITE)) {
                other.write(ByteBuffer.wrap(new byte[] {(byte) 0xEE}), 35L * 100 + 32); // a payload byte of record 100 (35-byte records)
            }
            IOException e = assertThrows(IOException.class, appender::force);
            assertTrue(e.getMessage().startsWith(file() + ": the records appended from byte 0 cannot be vouched "
                    + "for"), e.getMessage());
            assertEquals(0, sidecarEntries(), "no entry vouches for bytes that are not what was appended");
            assertThrows(IOException.class, () -> appender.append(blobs(0)), "the appender is failed");
        } finally {
            appender.close();
        }
    }

    @Test
    void aTruncatedFileFailsTheForceWithoutVouchingForIt() throws Exception {
        RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE);
        try {
            for (int i = 0; i < MANY; i++) {
                appender.append(blobs(i));
            }
            try (FileChannel other = FileChannel.open(file(), java.nio.file.StandardOpenOption.WRITE)) {
                other.truncate(35L * 5000 + 3);
            }
            IOException e = assertThrows(IOException.class, appender::force);
            assertTrue(e.getMessage().startsWith(file() + ": the records appended from byte 0 cannot be vouched "
                    + "for"), e.getMessage());
            assertEquals(0, sidecarEntries());
        } finally {
            appender.close();
        }
    }

    @Test
    void aLaggingRecordLargerThanTheReadBackWindowGetsItsEntry() throws Exception {
        byte[] large = new byte[3 * FileWindow.CAPACITY + 5];
        new java.util.Random(7).nextBytes(large);
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            for (int i = 0; i < 4097; i++) {
                appender.append(blobs(i)); // the sidecar lags from here
            }
            appender.append(List.of(large, new byte[] {1}));
            appender.append(blobs(0));
            appender.force();
            assertEquals(4099, sidecarEntries());
        }
        assertEquals(4099, RecordFiles.verify(file()).checksummed());
        try (RecordFile records = RecordFile.open(file(), RecordFile.Mode.MAP, ReadOptions.defaults());
             Batch batch = records.getVerified(4097)) {
            assertArrayEquals(large, batch.get(0).toByteArray());
        }
    }

    @Test
    void aSidecarThatFailsWhileEntriesAreRebuiltIsMendedByTheNextOpen() throws Exception {
        Watched storage = new Watched(file());
        try (RecordAppender appender = RecordAppender.open(storage, file(), RecordAppender.Durability.NONE)) {
            for (int i = 0; i < MANY; i++) {
                appender.append(blobs(i));
            }
            storage.failSidecar.set(true);
            appender.force(); // the data is forced; the entries' write fails: logged, the sidecar is a cache
            storage.failSidecar.set(false);
            assertEquals(MANY, appender.append(blobs(0)).index(), "the appender goes on");
        }
        try (RecordAppender reopened = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            assertEquals(MANY + 1, reopened.records());
        }
        RecordFiles.Report report = RecordFiles.verify(file());
        assertEquals(MANY + 1, report.checksummed());
    }

    @Test
    void threadsAppendingWhileAnotherForcesLeaveEveryRecordListedOnce() throws Exception {
        try (RecordAppender appender = RecordAppender.open(file(), RecordAppender.Durability.NONE)) {
            List<Thread> threads = new ArrayList<>();
            AtomicBoolean appending = new AtomicBoolean(true);
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int t = 0; t < 3; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < 3000; i++) {
                            appender.append(blobs(i));
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            Thread forcer = Thread.ofPlatform().start(() -> {
                try {
                    while (appending.get()) {
                        appender.force();
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            for (Thread t : threads) {
                t.join(60_000);
                assertFalse(t.isAlive(), "an appending thread hangs");
            }
            appending.set(false);
            forcer.join(60_000);
            assertFalse(forcer.isAlive(), "the forcing thread hangs");
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(9000, appender.records());
        }
        assertEquals(9000, sidecarEntries());
        RecordFiles.Report report = RecordFiles.verify(file());
        assertEquals(9000, report.checksummed());
        assertEquals(9000, report.records());
    }
}
