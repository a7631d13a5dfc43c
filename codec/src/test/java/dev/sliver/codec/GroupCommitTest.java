package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Group commit acknowledges an append only after a force that covers it: when the group is full, on time, or on close. */
class GroupCommitTest {
    @TempDir
    Path dir;

    @Test
    void aFullGroupIsForcedAndAcknowledgedTogether() throws Exception {
        Path file = dir.resolve("g.strg");
        try (GroupCommitAppender appender = GroupCommitAppender.open(file, new GroupCommitAppender.Policy(4, Duration.ofHours(1)))) {
            List<CompletableFuture<RecordAppender.Appended>> acks = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                acks.add(appender.append(List.of(new byte[] {(byte) i})));
            }
            assertTrue(acks.stream().noneMatch(CompletableFuture::isDone), "no force yet: nothing acknowledged");
            acks.add(appender.append(List.of(new byte[] {3})));
            for (int i = 0; i < 4; i++) {
                assertEquals(i, acks.get(i).getNow(null).index(), "the fourth append filled the group: one force for all");
            }
        }
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(4, records.size());
        }
    }

    @Test
    void aLoneAppendIsForcedAfterTheDelay() throws Exception {
        try (GroupCommitAppender appender = GroupCommitAppender.open(dir.resolve("t.strg"), new GroupCommitAppender.Policy(100, Duration.ofMillis(20)))) {
            CompletableFuture<RecordAppender.Appended> ack = appender.append(List.of(new byte[] {1}));
            assertEquals(0, ack.get(30, TimeUnit.SECONDS).index(), "the timer forced it (the watchdog is generous on purpose)");
        }
    }

    /** The timer set for a group that filled up and was forced must still force the next group when it is due. */
    @Test
    void aGroupAfterAFullOneIsForcedOnTime() throws Exception {
        try (GroupCommitAppender appender = GroupCommitAppender.open(dir.resolve("n.strg"), new GroupCommitAppender.Policy(2, Duration.ofMillis(20)))) {
            for (int round = 0; round < 5; round++) {
                appender.append(List.of(new byte[] {1}));
                assertTrue(appender.append(List.of(new byte[] {2})).isDone(), "the full group was forced at once");
                CompletableFuture<RecordAppender.Appended> lone = appender.append(List.of(new byte[] {3}));
                assertEquals(3L * round + 2, lone.get(30, TimeUnit.SECONDS).index(), "the timer forced the lone append");
            }
        }
    }

    @Test
    void closeForcesWhatIsWaiting() throws Exception {
        CompletableFuture<RecordAppender.Appended> ack;
        try (GroupCommitAppender appender = GroupCommitAppender.open(dir.resolve("c.strg"), new GroupCommitAppender.Policy(100, Duration.ofHours(1)))) {
            ack = appender.append(List.of(new byte[] {1}));
            assertFalse(ack.isDone());
        }
        assertTrue(ack.isDone() && !ack.isCompletedExceptionally(), "close acknowledged it after a force");
        assertThrows(IllegalArgumentException.class, () -> new GroupCommitAppender.Policy(0, Duration.ofMillis(1)));
        // A delay past what the timer counts in nanoseconds used to pass here and throw later, in
        // an append whose record was already written, leaving no timer for the groups after it.
        assertThrows(IllegalArgumentException.class, () -> new GroupCommitAppender.Policy(1, Duration.ofSeconds(Long.MAX_VALUE)));
        assertThrows(IllegalArgumentException.class,
                () -> new GroupCommitAppender.Policy(1, GroupCommitAppender.Policy.MAX_DELAY.plusNanos(1)));
        assertEquals(GroupCommitAppender.Policy.MAX_DELAY, new GroupCommitAppender.Policy(1, GroupCommitAppender.Policy.MAX_DELAY).delay());
    }

    /** Storage whose data file remembers how far its last force reached. */
    private static Storage rememberingForces(Path data, AtomicLong forcedUpTo) {
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
                        long size = size();
                        super.force(metaData);
                        forcedUpTo.set(size);
                    }
                };
            }
        };
    }

    @Test
    void anAppendMadeByAnAcknowledgementCallbackWaitsForItsOwnForce() throws Exception {
        // A callback runs on the thread that completes the future. When that thread still held
        // the lock and was walking the group it acknowledged, an append made by the callback
        // joined that group and was acknowledged with it, after a force that did not cover it.
        Path file = dir.resolve("chain.strg");
        AtomicLong forcedUpTo = new AtomicLong();
        AtomicReference<Object> coveredWhenAcknowledged = new AtomicReference<>();
        CompletableFuture<RecordAppender.Appended> second = new CompletableFuture<>();
        try (GroupCommitAppender appender = GroupCommitAppender.open(rememberingForces(file, forcedUpTo), file,
                new GroupCommitAppender.Policy(100, Duration.ofMillis(5)))) {
            appender.append(List.of(new byte[100])).thenAccept(first -> {
                try {
                    CompletableFuture<RecordAppender.Appended> next = appender.append(List.of(new byte[200]));
                    next.whenComplete((ack, failure) -> {
                        coveredWhenAcknowledged.set(failure != null ? failure
                                : forcedUpTo.get() >= ack.offset() + ack.bytes());
                        second.complete(ack);
                    });
                } catch (IOException | RuntimeException e) {
                    second.completeExceptionally(e);
                }
            });
            RecordAppender.Appended ack = second.get(30, TimeUnit.SECONDS);
            assertEquals(1, ack.index());
            assertEquals(Boolean.TRUE, coveredWhenAcknowledged.get(),
                    "the chained append was acknowledged before a force covered it");
        }
    }

    @Test
    void aCallbackThatWaitsForAnotherAppendDoesNotStopTheAppender() throws Exception {
        // The timer thread completes the group it forced. A callback that waits there for an
        // append the same timer must force used to wait holding the appender's lock: every other
        // append, and close, waited for ever.
        Path file = dir.resolve("join.strg");
        CompletableFuture<RecordAppender.Appended> second = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch waitingInCallback = new java.util.concurrent.CountDownLatch(1);
        GroupCommitAppender appender = GroupCommitAppender.open(file, new GroupCommitAppender.Policy(100, Duration.ofMillis(5)));
        appender.append(List.of(new byte[1])).thenAccept(first -> {
            try {
                CompletableFuture<RecordAppender.Appended> next = appender.append(List.of(new byte[2]));
                waitingInCallback.countDown();
                second.complete(next.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                second.completeExceptionally(e);
            }
        });
        assertTrue(waitingInCallback.await(30, TimeUnit.SECONDS), "the first group was never acknowledged");
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                appender.append(List.of(new byte[3])); // another thread is not held up by the callback
                appender.close(); // forces and acknowledges the callback's append
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        closed.get(30, TimeUnit.SECONDS);
        assertEquals(1, second.get(30, TimeUnit.SECONDS).index(), "the callback's own append was forced and acknowledged");
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(3, records.size());
        }
    }

    /**
     * Close stops the timer: its thread ends although a timer task for an hour later was pending
     * (one left queued, or a timer never shut down, would keep a thread per closed appender).
     */
    @Test
    void closeEndsTheTimerThreadWithATaskPending() throws Exception {
        Path file = dir.resolve("timer.strg");
        String name = "sliver-group-commit " + file;
        try (GroupCommitAppender appender = GroupCommitAppender.open(file, new GroupCommitAppender.Policy(100, Duration.ofHours(1)))) {
            appender.append(List.of(new byte[] {1}));
            assertTrue(timerThreads(name).findAny().isPresent(), "the timer waits for the hour");
        }
        for (Thread timer : timerThreads(name).toList()) {
            timer.join(Duration.ofSeconds(30)); // a watchdog, not a timing: it ends at once
            assertFalse(timer.isAlive(), "the timer thread ended at close");
        }
    }

    private static java.util.stream.Stream<Thread> timerThreads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name));
    }

    @Test
    void aRecordWriterIsAppendedAndAcknowledged() throws Exception {
        Path file = dir.resolve("writer.strg");
        try (GroupCommitAppender appender = GroupCommitAppender.open(file, new GroupCommitAppender.Policy(1, Duration.ofHours(1)))) {
            RecordAppender.Appended ack = appender.append(new RecordWriter().add(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3})))
                    .get(30, TimeUnit.SECONDS);
            assertEquals(new RecordAppender.Appended(0, 0, 27), ack);
        }
        try (RecordFile records = RecordFile.open(file); dev.sliver.core.Batch batch = records.get(0)) {
            assertArrayEquals(new byte[] {1, 2, 3}, batch.get(0).toByteArray());
        }
    }
}
