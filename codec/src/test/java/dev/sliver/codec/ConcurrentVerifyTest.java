package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * RecordFile promises that any number of threads may call {@code verify} at once. Over a mapping
 * the checksum copies through a heap buffer, which was one per file: two threads checksumming at
 * once mixed each other's bytes and reported a healthy record as corrupt.
 */
class ConcurrentVerifyTest {
    @TempDir
    Path dir;

    @Test
    void threadsVerifyingOneMappedFileAtOnceAllSeeItHealthy() throws Exception {
        Path file = dir.resolve("log.strg");
        Random random = new Random(20);
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            for (int i = 0; i < 64; i++) {
                byte[] blob = new byte[32 * 1024 + random.nextInt(64 * 1024)];
                random.nextBytes(blob);
                appender.append(List.of(blob));
            }
        }
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (RecordFile records = RecordFile.open(file, RecordFile.Mode.MAP, ReadOptions.defaults())) {
            CyclicBarrier start = new CyclicBarrier(4);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await(30, TimeUnit.SECONDS);
                        for (int round = 0; round < 20; round++) {
                            assertEquals(64, records.verify());
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.MINUTES.toMillis(2)); // the watchdog: a hang fails below
                assertFalse(thread.isAlive(), "a verifying thread hung");
            }
        }
        assertEquals(List.of(), List.copyOf(failures));
    }
}
