package dev.sliver.codec;

import dev.sliver.core.Batch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 D: after a failed fsync (EIO; Linux may have dropped the pages, a retry proves
 * nothing) the appender is failed until reopened, and acknowledged indexes always match the disk.
 */
class FailedForceTest {
    @TempDir
    Path dir;

    /** The data file's second force fails with EIO, as the LD_PRELOAD shim of the report did. */
    private static Storage failingSecondForce(Path data) {
        return failingForce(data, 3); // the first is at open
    }

    /** The data file's {@code n}th force, counting the one at open, fails with EIO. */
    private static Storage failingForce(Path data, int n) {
        AtomicInteger forces = new AtomicInteger();
        return new Storage() {
            @Override
            public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
                FileChannel real = FileChannel.open(path, options);
                if (!path.equals(data)) {
                    return real;
                }
                return new ForwardingFileChannel(real) {
                    @Override
                    public void force(boolean metaData) throws IOException {
                        if (forces.incrementAndGet() == n) {
                            throw new IOException("Input/output error");
                        }
                        super.force(metaData);
                    }
                };
            }
        };
    }

    @Test
    void afterAFailedForceEveryCallFailsUntilReopenedAndIndexesMatchTheDisk() throws Exception {
        Path file = dir.resolve("log.strg");
        try (RecordAppender appender = RecordAppender.open(failingSecondForce(file), file, RecordAppender.Durability.FORCE)) {
            assertEquals(0, appender.append(List.of(new byte[] {0})).index());
            IOException failed = assertThrows(IOException.class, () -> appender.append(List.of(new byte[] {1})));
            assertTrue(failed.getMessage().contains("Input/output error"), failed.getMessage());
            IOException later = assertThrows(IOException.class, () -> appender.append(List.of(new byte[] {2})));
            assertTrue(later.getMessage().contains("failed earlier") && later.getMessage().contains("Input/output error"),
                    later.getMessage());
            assertThrows(IOException.class, appender::force);
        }
        try (RecordAppender reopened = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            long next = reopened.records();
            RecordAppender.Appended ack = reopened.append(List.of(new byte[] {9}));
            assertEquals(next, ack.index(), "the index the appender gives is the record's place on disk");
        }
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(records.size(), records.verify(), "every record has a true checksum: the chain never broke");
            try (Batch last = records.get(records.size() - 1)) {
                assertArrayEquals(new byte[] {9}, last.get(0).toByteArray());
            }
            assertTrue(records.size() == 2 || records.size() == 3, "the record whose force failed may or may not be there");
        }
    }

    @Test
    void inNoneAFailedForceWhileTheSidecarLagsFailsTheAppenderAndVouchesForNothing() throws Exception {
        Path file = dir.resolve("log.strg");
        try (RecordAppender appender = RecordAppender.open(failingForce(file, 2), file, RecordAppender.Durability.NONE)) {
            for (int i = 0; i < 5000; i++) {
                appender.append(List.of(new byte[] {(byte) i})); // no force: past 4,096 the sidecar lags
            }
            IOException failed = assertThrows(IOException.class, appender::force);
            assertEquals(file + ": forcing the appended records failed (Input/output error); the appender is failed: "
                    + "reopen it to recover from what the disk holds", failed.getMessage());
            assertThrows(IOException.class, () -> appender.append(List.of(new byte[] {1})));
        }
        assertEquals(8, Files.size(RecordFiles.sidecarOf(file)), "no entry vouches for a record whose force failed");
        try (RecordAppender reopened = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(5000, reopened.records(), "the page cache kept them: the open lists them");
        }
    }

    @Test
    void aFailedGroupForceFailsItsFuturesAndTheAppender() throws Exception {
        Path file = dir.resolve("group.strg");
        try (GroupCommitAppender group = GroupCommitAppender.open(failingSecondForce(file), file,
                new GroupCommitAppender.Policy(1, java.time.Duration.ofHours(1)))) {
            CompletableFuture<RecordAppender.Appended> first = group.append(List.of(new byte[] {1}));
            assertEquals(0, first.getNow(null).index(), "forced and acknowledged");
            CompletableFuture<RecordAppender.Appended> second = group.append(List.of(new byte[] {2}));
            ExecutionException e = assertThrows(ExecutionException.class, second::get);
            assertTrue(e.getCause().getMessage().contains("Input/output error"), e.getCause().getMessage());
            assertThrows(IOException.class, () -> group.append(List.of(new byte[] {3})), "the appender is failed");
        }
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(2, records.size(), "the second record's bytes reached the page cache, not known to be durable");
            assertEquals(1, records.verify(), "only the forced record is listed in the sidecar");
        }
    }
}
