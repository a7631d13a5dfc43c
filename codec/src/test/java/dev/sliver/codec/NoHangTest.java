package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 17 E: nothing waits forever: not on a FIFO, a device, a /proc file, nor a group append racing close. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NoHangTest {
    @TempDir
    Path dir;

    @Test
    void specialFilesAreRefusedAtOnceNamingThem() throws Exception {
        Path fifo = dir.resolve("pipe.strg");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, mkfifo.waitFor());
        for (Path special : List.of(fifo, Path.of("/dev/zero"), dir)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> RecordFiles.verify(special));
            assertEquals(special.toString(), e.getFile());
            assertThrows(FileSystemException.class, () -> RecordFiles.check(special));
            assertThrows(FileSystemException.class, () -> RecordFiles.repair(special, false));
            assertThrows(FileSystemException.class, () -> RecordFile.open(special).close());
            assertThrows(FileSystemException.class, () -> RecordAppender.open(special, RecordAppender.Durability.NONE));
            assertThrows(FileSystemException.class, () -> RecordScanner.open(special).close());
        }
        Path proc = Path.of("/proc/self/status");
        FileSystemException e = assertThrows(FileSystemException.class, () -> RecordFiles.verify(proc));
        assertTrue(e.getReason().contains("reports 0 bytes"), e.getReason());
        assertTrue(Files.notExists(Path.of("/dev/zero.idx")));
    }

    /** The report: about one round in 40 left futures that never completed. Every future completes once close returns. */
    @Test
    void closeRacingGroupAppendsLeavesNoFutureBehind() throws Exception {
        for (int round = 0; round < 60; round++) {
            Path file = dir.resolve("race-" + round + ".strg");
            GroupCommitAppender group = GroupCommitAppender.open(file, new GroupCommitAppender.Policy(8,
                    java.time.Duration.ofMillis(1)));
            ConcurrentLinkedQueue<CompletableFuture<RecordAppender.Appended>> futures = new ConcurrentLinkedQueue<>();
            CountDownLatch started = new CountDownLatch(3);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                threads.add((t == 2 ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                    started.countDown();
                    for (int i = 0; i < 200; i++) {
                        try {
                            futures.add(group.append(List.of(new byte[] {(byte) i})));
                        } catch (IllegalStateException closed) {
                            return;
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    }
                }));
            }
            started.await();
            group.close();
            int done = 0;
            for (CompletableFuture<RecordAppender.Appended> f : futures) {
                if (f.isDone()) {
                    done++;
                }
            }
            int seen = futures.size();
            assertEquals(seen, done, "round " + round + ": every future taken before close returned is complete");
            for (Thread t : threads) {
                t.join();
            }
            for (CompletableFuture<RecordAppender.Appended> f : futures) {
                assertTrue(f.isDone(), "round " + round + ": an append either threw or was completed");
            }
        }
    }
}
