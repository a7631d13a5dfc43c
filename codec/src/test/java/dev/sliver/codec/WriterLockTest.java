package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One writer per file, whatever path names it (a link, a relative or unnormalized name, a linked
 * directory, a file not created yet), and data files that are not regular files are refused by
 * name before anything is created.
 */
class WriterLockTest {
    @TempDir
    Path dir;

    private static final String IN_USE = "in use by another writer (an appender or repair holds its lock): one writer per file";

    private static void assertLocked(Path other) {
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> RecordAppender.open(other, RecordAppender.Durability.NONE), other.toString());
        assertEquals(IN_USE, e.getReason());
        assertEquals(other.toString(), e.getFile());
    }

    @Test
    void everyNameOfAFileIsTheSameLock() throws Exception {
        Path file = dir.resolve("log.strg");
        Codec.write(file, List.of(new byte[] {1}));
        Files.createDirectory(dir.resolve("sub"));
        Path link = Files.createSymbolicLink(dir.resolve("link.strg"), file);
        Path linkedDir = Files.createSymbolicLink(dir.resolve("linked"), dir);
        Closeable lock = RecordFiles.lock(file);
        try {
            assertLocked(link);
            assertLocked(dir.resolve("sub/../log.strg"));
            assertLocked(dir.resolve("./log.strg"));
            assertLocked(linkedDir.resolve("log.strg"));
            assertLocked(Path.of("").toAbsolutePath().relativize(file));
            assertThrows(FileSystemException.class, () -> RecordFiles.repair(link, false));
        } finally {
            lock.close();
        }
        try (RecordAppender appender = RecordAppender.open(link, RecordAppender.Durability.NONE)) {
            assertEquals(1, appender.records());
            assertLocked(file);
        }
        assertTrue(Files.exists(dir.resolve("log.strg.lock")), "the lock file stays");
        assertFalse(Files.exists(dir.resolve("link.strg.lock")), "a link locks the file it names");
    }

    @Test
    void aFileNotCreatedYetIsLockedByItsName() throws Exception {
        Path file = dir.resolve("new.strg");
        Path linkedDir = Files.createSymbolicLink(dir.resolve("linked"), dir);
        Closeable lock = RecordFiles.lock(file);
        try {
            assertFalse(Files.exists(file), "locking creates no data file");
            assertLocked(linkedDir.resolve("new.strg"));
            assertLocked(dir.resolve("sub/../new.strg"));
        } finally {
            lock.close();
        }
        try (RecordAppender appender = RecordAppender.open(linkedDir.resolve("new.strg"), RecordAppender.Durability.NONE)) {
            assertEquals(0, appender.records());
        }
        assertTrue(Files.exists(file));
    }

    @Test
    void aDirectoryOrAMissingFileIsRefusedByName() throws Exception {
        Path directory = Files.createDirectory(dir.resolve("data.strg"));
        for (var call : List.<org.junit.jupiter.api.function.Executable>of(() -> RecordFiles.check(directory),
                () -> RecordFiles.repair(directory, false), () -> RecordAppender.open(directory, RecordAppender.Durability.NONE),
                () -> RecordFile.open(directory), () -> Codec.write(directory, List.of()))) {
            FileSystemException e = assertThrows(FileSystemException.class, call);
            assertEquals(directory.toString(), e.getFile());
            assertEquals("is a directory, not a record file", e.getReason());
        }
        assertFalse(Files.exists(dir.resolve("data.strg.lock")), "refused before a lock file is made");
        Path missing = dir.resolve("missing.strg");
        assertThrows(NoSuchFileException.class, () -> RecordFiles.check(missing));
        assertThrows(NoSuchFileException.class, () -> RecordFiles.repair(missing, false));
        assertThrows(NoSuchFileException.class, () -> RecordFile.open(missing));
        assertFalse(Files.exists(missing), "repair never creates a file");
        assertFalse(Files.exists(RecordFiles.sidecarOf(missing)));
    }
}
