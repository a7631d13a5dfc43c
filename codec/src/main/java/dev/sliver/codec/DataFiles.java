package dev.sliver.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;

/**
 * How the record-file layer opens data files: only regular files whose size can be trusted
 * (a FIFO would block the open forever, a device never ends, a {@code /proc} file says 0 bytes
 * and has more), and, for anything that changes a file, under its {@link WriterLock}, so that
 * there is one writer per file across threads and processes.
 */
final class DataFiles {
    private DataFiles() {
    }

    /** A data file open for writing, with its writer lock; closing releases both. */
    record Locked(FileChannel channel, WriterLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (lock) {
                channel.close();
            }
        }
    }

    /** Opens the regular file at {@code path} for reading; refuses anything else, naming it. */
    static FileChannel openForRead(Path path) throws IOException {
        requireRegular(path, false);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            requireTrustworthySize(channel, path);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Opens the regular file at {@code path} for writing and locks it; creates it if
     * {@code create} (then forces its directory, so that the new name survives a power loss).
     *
     * @throws IOException naming the file if another writer, in this process or another, holds it
     */
    static Locked openLocked(Storage storage, Path path, boolean create) throws IOException {
        if (requireRegular(path, create)) {
            try (FileChannel peek = FileChannel.open(path, StandardOpenOption.READ)) { // before any lock file is made
                requireTrustworthySize(peek, path);
            }
        }
        WriterLock lock = WriterLock.acquire(storage, path);
        try {
            boolean exists = requireRegular(path, create); // again, under the lock
            FileChannel channel = storage.open(path, create && !exists
                    ? Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
            try {
                requireTrustworthySize(channel, path);
                if (!exists) {
                    storage.forceDirectory(path.toAbsolutePath().getParent());
                }
                return new Locked(channel, lock);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** @return whether the file exists; throws if it is there and not a regular file, or is missing and may not be created */
    private static boolean requireRegular(Path path, boolean mayBeMissing) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            if (mayBeMissing) {
                return false;
            }
            throw e;
        }
        if (!attributes.isRegularFile()) {
            throw new FileSystemException(path.toString(), null, attributes.isDirectory() ? "is a directory, not a record file"
                    : "not a regular file (a FIFO, socket or device): not a record file");
        }
        return true;
    }

    /** A file that says it is empty but has bytes ({@code /proc}, some special files) has no size to trust. */
    private static void requireTrustworthySize(FileChannel channel, Path path) throws IOException {
        if (channel.size() == 0 && channel.read(ByteBuffer.allocate(1), 0) > 0) {
            throw new FileSystemException(path.toString(), null,
                    "reports 0 bytes but has more (a /proc or special file): not a record file");
        }
    }
}
