package dev.sliver.codec;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 17 B: one writer per file, across threads and processes; repair refuses a file in use. */
class OneWriterTest {
    @TempDir
    Path dir;

    @Test
    void aSecondWriterInThisProcessIsRefusedNamingTheFile() throws Exception {
        Path file = dir.resolve("log.strg");
        try (RecordAppender first = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            first.append(List.of(new byte[] {1}));
            FileSystemException e = assertThrows(FileSystemException.class,
                    () -> RecordAppender.open(file, RecordAppender.Durability.NONE));
            assertEquals(file.toString(), e.getFile());
            assertTrue(e.getReason().contains("in use by another writer"), e.getReason());
            assertThrows(FileSystemException.class, () -> GroupCommitAppender.open(file,
                    new GroupCommitAppender.Policy(4, java.time.Duration.ofMillis(5))));
            assertThrows(FileSystemException.class, () -> RecordFiles.repair(file, false));
            assertThrows(FileSystemException.class, () -> RecordFiles.repair(file, true));
            assertThrows(FileSystemException.class, () -> Codec.write(file, List.of(new byte[] {2})));
            first.append(List.of(new byte[] {3}));
        }
        try (RecordAppender again = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(2, again.records(), "the lock went with the first appender; both its records are there");
        }
    }

    @Test
    @Tag("child-jvm-until-killed")
    void aWriterInAnotherProcessIsRespected() throws Exception {
        Path file = dir.resolve("shared.strg");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AppendUntilKilled.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            assertNotNull(out.readLine(), "the child appended");
            FileSystemException e = assertThrows(FileSystemException.class,
                    () -> RecordAppender.open(file, RecordAppender.Durability.FORCE));
            assertTrue(e.getReason().contains("in use"), e.getReason());
            assertThrows(FileSystemException.class, () -> RecordFiles.repair(file, false));
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        try (RecordAppender after = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            assertTrue(after.records() >= 1, "the lock died with its process");
        }
    }
}
