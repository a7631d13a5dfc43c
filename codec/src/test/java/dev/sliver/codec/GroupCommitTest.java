package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    }
}
