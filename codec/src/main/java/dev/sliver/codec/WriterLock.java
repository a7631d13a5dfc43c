package dev.sliver.codec;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one-writer-per-file rule: an exclusive OS lock on {@code FILE.lock} beside the data file,
 * for other processes, and a set of the files this JVM holds, for other threads.
 *
 * <p>Why a file of its own and a set: POSIX locks belong to the process, and closing <em>any</em>
 * descriptor of a file releases them all. A lock on the data file itself would vanish the moment
 * a reader in the same JVM ({@link RecordFile}, {@link RecordFiles#check}) closed its own channel
 * of it, and so would a lock that a second writer of this JVM opened the lock file to try. So
 * nothing but the holder ever opens the lock file while it is held in this JVM: the set is asked
 * first. The lock file stays after close (deleting it would race with the next writer).
 */
final class WriterLock implements java.io.Closeable {
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;

    private WriterLock(Path key, FileChannel channel) {
        this.key = key;
        this.channel = channel;
    }

    /** @return the lock file of the data file {@code data}: the same name plus {@code .lock} */
    static Path pathOf(Path data) {
        return data.resolveSibling(data.getFileName() + ".lock");
    }

    /**
     * Takes the right to change {@code data} (which need not exist yet).
     *
     * @throws FileSystemException naming the file if another writer, in this JVM or another process, holds it
     */
    static WriterLock acquire(Storage storage, Path data) throws IOException {
        Path key = realPath(data);
        if (!HELD.add(key)) {
            throw inUse(data);
        }
        FileChannel channel = null;
        try {
            channel = storage.open(pathOf(key), Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS));
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw inUse(data);
            }
            return new WriterLock(key, channel);
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            if (channel != null) {
                channel.close();
            }
            if (e instanceof FileSystemException f && f.getFile() != null && f.getFile().endsWith(".lock")
                    && f.getReason() == null) {
                throw new FileSystemException(data.toString(), null, "cannot create its lock file " + pathOf(data)
                        + " (" + e.getClass().getSimpleName() + ")");
            }
            throw e;
        }
    }

    /** One name for one file, whichever path (a link, a relative name) the caller used. */
    private static Path realPath(Path data) throws IOException {
        Path absolute = data.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            return absolute.toRealPath();
        }
        Path parent = absolute.getParent();
        return parent != null && Files.exists(parent) ? parent.toRealPath().resolve(absolute.getFileName()) : absolute;
    }

    private static FileSystemException inUse(Path data) {
        return new FileSystemException(data.toString(), null,
                "in use by another writer (an appender or repair holds its lock): one writer per file");
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close(); // releases the OS lock
        } finally {
            HELD.remove(key);
        }
    }
}
