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

    /**
     * A second name of a file not created yet (through a linked directory) is refused without
     * opening the lock file: opening and closing it would drop the holder's POSIX lock, which
     * belongs to the process, and let another process in.
     */
    @Test
    void aSecondNameOfANewFileLeavesTheHoldersLockInPlace() throws Exception {
        Path file = dir.resolve("new.strg");
        Path linkedDir = Files.createSymbolicLink(dir.resolve("linked"), dir);
        Closeable lock = RecordFiles.lock(file);
        try {
            Path lockFile = WriterLock.pathOf(file);
            assertLocked(linkedDir.resolve("new.strg"));
            assertLocked(dir.resolve("sub/../new.strg"));
            Boolean held = Records.holdsPosixLock(lockFile);
            assertTrue(held == null || held, "the holder's OS lock is still there");
        } finally {
            lock.close();
        }
    }

    /** A writer refused by a lock that is held elsewhere keeps no descriptor of the lock file. */
    @Test
    void aRefusedWriterKeepsNoDescriptorOfTheLockFile() throws Exception {
        Path file = dir.resolve("log.strg");
        Path lockFile = WriterLock.pathOf(file);
        try (java.nio.channels.FileChannel other = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            assertTrue(other.tryLock() != null);
            assertLocked(file);
            long open = Records.openDescriptors(lockFile);
            assertTrue(open == -1 || open == 1, "only the holder's descriptor is open, not " + open);
        }
    }

    /** A lock file that cannot be created (its directory is missing) is named, with what was wrong. */
    @Test
    void aLockFileThatCannotBeCreatedIsNamed() {
        Path file = dir.resolve("missing-dir").resolve("log.strg");
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> RecordAppender.open(file, RecordAppender.Durability.NONE));
        assertEquals(file.toString(), e.getFile());
        assertEquals("cannot create its lock file " + WriterLock.pathOf(file) + " (NoSuchFileException)", e.getReason());
    }

    /**
     * A /proc file (regular, 0 bytes, yet it has content) is refused by name before a writer tries
     * its lock file, and a reader leaves no descriptor of it open.
     */
    @Test
    void aFileWhoseSizeCannotBeTrustedIsRefusedFirst() throws Exception {
        Path proc = Path.of("/proc/" + ProcessHandle.current().pid() + "/status");
        if (!Files.isReadable(proc)) {
            return; // not Linux
        }
        String reason = "reports 0 bytes but has more (a /proc or special file): not a record file";
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> RecordAppender.open(proc, RecordAppender.Durability.NONE));
        assertEquals(reason, e.getReason(), "refused before a lock file could not be made in /proc");
        e = assertThrows(FileSystemException.class, () -> RecordScanner.open(proc));
        assertEquals(reason, e.getReason());
        assertEquals(0, Records.openDescriptors(proc), "the reader closed it");
    }

    /**
     * A data file that turns out untrustworthy once it is opened under the lock (another program
     * swapped it meanwhile: here a channel whose size says 0 over bytes) is refused, its channel
     * closed and its lock released: the next writer gets the file.
     */
    @Test
    void aFileRefusedUnderTheLockIsClosedAndUnlocked() throws Exception {
        Path file = dir.resolve("log.strg");
        Codec.write(file, List.of(new byte[] {1}));
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        Storage swapped = new Storage() {
            @Override
            public java.nio.channels.FileChannel open(Path path, java.util.Set<? extends java.nio.file.OpenOption> options)
                    throws java.io.IOException {
                java.nio.channels.FileChannel real = java.nio.channels.FileChannel.open(path, options);
                if (!path.equals(file)) {
                    return real;
                }
                return new ForwardingFileChannel(real) {
                    @Override
                    public long size() {
                        return 0;
                    }

                    @Override
                    protected void implCloseChannel() throws java.io.IOException {
                        closed.set(true);
                        super.implCloseChannel();
                    }
                };
            }
        };
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> RecordAppender.open(swapped, file, RecordAppender.Durability.NONE));
        assertEquals("reports 0 bytes but has more (a /proc or special file): not a record file", e.getReason());
        assertTrue(closed.get(), "the data channel is closed");
        try (RecordAppender next = RecordAppender.open(file, RecordAppender.Durability.NONE)) {
            assertEquals(1, next.records(), "the lock was released");
        }
    }

    /** A data file created by a writer has its directory forced (its name survives a power loss); one that existed does not. */
    @Test
    void creatingADataFileForcesItsDirectory() throws Exception {
        List<Path> forced = new java.util.ArrayList<>();
        Storage recording = new Storage() {
            @Override
            public void forceDirectory(Path directory) throws java.io.IOException {
                forced.add(directory);
                Storage.super.forceDirectory(directory);
            }
        };
        Path file = dir.resolve("new.strg");
        DataFiles.openLocked(recording, file, true).close();
        assertEquals(List.of(dir.toAbsolutePath()), forced);
        forced.clear();
        DataFiles.openLocked(recording, file, true).close();
        assertEquals(List.of(), forced, "an existing file's name is durable already");
    }
}
