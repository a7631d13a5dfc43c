package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group commit's races: "those still waiting when close() is called complete before it returns",
 * also when another thread forced their group and has not completed them yet (NoHangTest's race,
 * about one round in 60: a group forced by an appending thread is completed after that thread
 * released the lock); and a timer that fires while a group is being forced sleeps on, and still
 * forces the next group.
 */
class GroupCommitRaceTest {
    @TempDir
    Path dir;

    @Test
    void closeCompletesAGroupAnotherThreadForcedButHasNotCompletedYet() throws Exception {
        GroupCommitAppender group = GroupCommitAppender.open(dir.resolve("g.strg"),
                new GroupCommitAppender.Policy(3, Duration.ofHours(1)));
        CompletableFuture<RecordAppender.Appended> first = group.append(List.of(new byte[] {0}));
        CompletableFuture<RecordAppender.Appended> second = group.append(List.of(new byte[] {1}));
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        first.thenRun(() -> { // completed first, on the thread whose append filled the group: it stops there
            inCallback.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicReference<CompletableFuture<RecordAppender.Appended>> third = new AtomicReference<>();
        Thread filler = Thread.ofPlatform().start(() -> {
            try {
                third.set(group.append(List.of(new byte[] {2})));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        try {
            assertTrue(inCallback.await(10, TimeUnit.SECONDS), "the group was forced");
            group.close();
            assertTrue(second.isDone(), "a future waiting when close was called is complete when it returns");
            assertEquals(new RecordAppender.Appended(25, 1, 25), second.getNow(null));
        } finally {
            release.countDown();
            filler.join();
        }
        assertEquals(new RecordAppender.Appended(50, 2, 25), third.get().getNow(null));
    }

    @Test
    void aTimerThatFiresDuringAForceStillForcesTheNextGroup() throws Exception {
        Path file = dir.resolve("t.strg");
        CountDownLatch forcing = new CountDownLatch(1);
        CountDownLatch timerFired = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger forces = new java.util.concurrent.atomic.AtomicInteger();
        Storage slowSecondForce = new Storage() {
            @Override
            public java.nio.channels.FileChannel open(Path path, java.util.Set<? extends java.nio.file.OpenOption> options)
                    throws java.io.IOException {
                java.nio.channels.FileChannel real = java.nio.channels.FileChannel.open(path, options);
                return !path.equals(file) ? real : new ForwardingFileChannel(real) {
                    @Override
                    public void force(boolean metaData) throws java.io.IOException {
                        if (forces.incrementAndGet() == 2) { // the first group's, forced by the appending thread
                            forcing.countDown();
                            try {
                                timerFired.await(10, TimeUnit.SECONDS); // held until the timer was due
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        super.force(metaData);
                    }
                };
            }
        };
        try (GroupCommitAppender group = GroupCommitAppender.open(slowSecondForce, file,
                new GroupCommitAppender.Policy(2, Duration.ofMillis(20)))) {
            CompletableFuture<RecordAppender.Appended> a = group.append(List.of(new byte[] {0}));
            Thread filler = Thread.ofPlatform().start(() -> {
                try {
                    group.append(List.of(new byte[] {1})); // fills the group: forced on this thread
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            });
            assertTrue(forcing.await(10, TimeUnit.SECONDS));
            Thread.sleep(60); // the timer set for the first append fires during its group's force
            timerFired.countDown();
            filler.join();
            assertEquals(0, a.get(10, TimeUnit.SECONDS).index());
            CompletableFuture<RecordAppender.Appended> lone = group.append(List.of(new byte[] {2}));
            assertEquals(2, lone.get(10, TimeUnit.SECONDS).index(), "the timer forced the lone append");
            assertEquals(3, forces.get(), "open, the full group, the lone append");
        }
    }
}
