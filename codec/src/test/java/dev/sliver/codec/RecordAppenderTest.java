package dev.sliver.codec;

import dev.sliver.core.Batch;
import dev.sliver.core.CorruptRecordException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class RecordAppenderTest {
    @TempDir
    Path dir;

    private static void assertRecord(List<byte[]> expected, Batch batch) {
        assertEquals(expected.size(), batch.size());
        for (int b = 0; b < expected.size(); b++) {
            assertArrayEquals(expected.get(b), batch.get(b).toByteArray(), "blob " + b);
        }
    }

    @Test
    void appendsSayWhereTheyWentAndAReopenContinues() throws Exception {
        Path file = dir.resolve("log.strg");
        List<RecordAppender.Appended> acks = new ArrayList<>();
        for (RecordAppender.Durability durability : RecordAppender.Durability.values()) {
            try (RecordAppender appender = RecordAppender.open(file, durability)) {
                for (int i = 0; i < 3; i++) {
                    acks.add(appender.append(AppendUntilKilled.blobs(acks.size())));
                }
            }
            assertTrue(Records.openDescriptors(file) <= 0, "close closes the data file");
            assertTrue(Records.openDescriptors(RecordFiles.sidecarOf(file)) <= 0, "close closes the sidecar");
        }
        try (RecordFile records = RecordFile.open(file)) {
            assertEquals(6, records.size());
            for (int i = 0; i < 6; i++) {
                assertEquals(i, acks.get(i).index());
                assertEquals(records.offset(i), acks.get(i).offset());
                try (Batch batch = records.get(i)) {
                    assertRecord(AppendUntilKilled.blobs(i), batch);
                }
            }
            assertEquals(Files.size(file), acks.getLast().offset() + acks.getLast().bytes());
        }
    }

    @Test
    void aTornTailIsCutOnOpenAtEveryCutAndAppendingGoesOn() throws Exception {
        Path whole = dir.resolve("whole.strg");
        try (RecordAppender appender = RecordAppender.open(whole, RecordAppender.Durability.NONE)) {
            appender.append(List.of(new byte[] {1}));
            appender.append(List.of(new byte[] {2, 2}, new byte[] {3}));
        }
        long valid = Files.size(whole);
        Codec.write(whole, List.of(new byte[] {9, 9, 9}));
        byte[] bytes = Files.readAllBytes(whole);
        for (int cut = (int) valid + 1; cut < bytes.length; cut++) {
            Path torn = Files.write(dir.resolve("torn.strg"), Arrays.copyOf(bytes, cut));
            Files.deleteIfExists(RecordFiles.sidecarOf(torn)); // the last round's: it would vouch for its record 2
            try (RecordAppender appender = RecordAppender.open(torn, RecordAppender.Durability.NONE)) {
                assertEquals(valid, Files.size(torn), "cut at " + cut + ": truncated to the last complete record");
                assertEquals(2, appender.records());
                RecordAppender.Appended next = appender.append(List.of(new byte[] {4}));
                assertEquals(valid, next.offset());
                assertEquals(2, next.index());
            }
            try (RecordFile records = RecordFile.open(torn)) {
                assertEquals(3, records.size());
                assertEquals(0, records.tornBytes());
            }
        }
    }

    @Test
    void repairReportsWhatItCutAndNeverCutsCorruption() throws Exception {
        Path file = dir.resolve("log.strg");
        Codec.write(file, List.of(new byte[] {1}));
        Files.write(file, Records.words(1000, 1), java.nio.file.StandardOpenOption.APPEND); // a header promising 1000 bytes
        assertEquals(java.util.List.of((long) 1, (long) 25, (long) 16), Records.summary(RecordFiles.repair(file, false)));
        assertEquals(25, Files.size(file));
        assertEquals(java.util.List.of((long) 1, (long) 25, (long) 0), Records.summary(RecordFiles.repair(file, false)));

        Files.write(file, Records.concat(Records.words(8 + 8 + 4, 1, 5), new byte[4]), java.nio.file.StandardOpenOption.APPEND);
        long size = Files.size(file);
        assertThrows(CorruptRecordException.class, () -> Records.summary(RecordFiles.repair(file, false)));
        assertThrows(CorruptRecordException.class, () -> RecordAppender.open(file, RecordAppender.Durability.NONE));
        assertEquals(size, Files.size(file), "a complete but inconsistent record is corruption: nothing is cut");
    }

    /** A child JVM appends with FORCE and is killed with SIGKILL at random moments: every acknowledged record survives. */
    @Test
    @Tag("child-jvm-until-killed")
    void everyAcknowledgedRecordSurvivesSigkill() throws Exception {
        Path file = dir.resolve("killed.strg");
        Random random = new Random(11);
        long acked = 0;
        for (int kill = 0; kill < 15; kill++) {
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), AppendUntilKilled.class.getName(), file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int wanted = 5 + random.nextInt(60);
            long lastAck = -1;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                for (int n = 0; n < wanted; n++) {
                    String line = out.readLine();
                    assertNotNull(line, "the child stopped early");
                    String[] parts = line.split(" ");
                    lastAck = Long.parseLong(parts[1]);
                }
                Thread.sleep(random.nextInt(20)); // kill somewhere inside a later append
                child.destroyForcibly(); // SIGKILL on Unix
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                try {
                    for (String line; (line = out.readLine()) != null; ) { // acks printed before it died count too
                        lastAck = Long.parseLong(line.split(" ")[1]);
                    }
                } catch (java.io.IOException closedByTheKill) {
                    // the JDK may close the pipe of a destroyed process: those acks go unchecked
                }
            }
            acked = Math.max(acked, lastAck + 1);
            try (RecordFile records = RecordFile.open(file)) {
                assertTrue(records.size() >= acked, "kill " + kill + ": " + records.size() + " records, " + acked + " acknowledged");
                records.verify(); // every record the sidecar has (it may lag the data by a group) matches its checksum
                for (int i = 0; i < acked; i++) {
                    try (Batch batch = records.get(i)) {
                        assertRecord(AppendUntilKilled.blobs(i), batch);
                    }
                }
            }
        }
    }
}
