package dev.sliver.examples;

import dev.sliver.codec.RecordFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file beside its target and moves it over the target only once complete, so a reader
 * sees the old file or the new one, never half of one, and a failure or an interruption (Ctrl-C)
 * leaves the target as it was and no temporary file behind.
 *
 * <p>The temporary file has a short name (a long target name still fits the file system's limit)
 * and, like any new file, the mode the umask gives; when the target exists its permissions are
 * kept. Every error names the target, never the temporary file.
 */
final class AtomicReplace implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final Thread cleanup;
    private boolean committed;

    private AtomicReplace(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.cleanup = new Thread(this::deleteTemp, "sliver-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Starts replacing {@code target}. */
    static AtomicReplace create(Path target) throws IOException {
        if (Files.isDirectory(target)) {
            throw new FileSystemException(target.toString(), null, "is a directory");
        }
        Path dir = target.toAbsolutePath().getParent();
        for (int attempt = 0; ; attempt++) {
            Path temp = dir.resolve(".sliver-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16) + ".part");
            FileChannel channel;
            try {
                channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt < 10) {
                    continue;
                }
                throw onTarget(target, e);
            } catch (IOException e) {
                throw onTarget(target, e);
            }
            keepPermissions(target, temp);
            return new AtomicReplace(target, temp, channel);
        }
    }

    private static void keepPermissions(Path target, Path temp) throws IOException {
        PosixFileAttributeView existing = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (existing != null && Files.exists(target)) {
            Files.setPosixFilePermissions(temp, existing.readAttributes().permissions());
        }
    }

    /** Where to write the new contents. */
    FileChannel channel() {
        return channel;
    }

    /**
     * Forces the new contents to disk and moves them over the target, then forces the directory
     * (so that the rename survives a power loss). The target's writer lock is held meanwhile
     * ({@link RecordFiles#lock}): a file an appender is writing is never replaced under it. A sidecar of the old target (FORMAT.md)
     * described the old bytes, so it is removed first ({@link RecordFiles#forgetSidecar}).
     */
    void commit() throws IOException {
        try {
            channel.force(true);
            channel.close();
            java.io.Closeable writer = RecordFiles.lock(target); // held until the rename is done
            try {
                RecordFiles.forgetSidecar(target);
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
            } finally {
                writer.close();
            }
            forceDirectory(target.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw onTarget(target, e);
        }
    }

    /** POSIX makes a rename durable only once its directory is forced. */
    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (java.nio.file.AccessDeniedException | UnsupportedOperationException platformWithoutDirectorySync) {
            // Windows cannot open a directory; its renames are durable without it
        }
    }

    /** An I/O error about the temporary file, told about the target. */
    static IOException onTarget(Path target, IOException e) {
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        FileSystemException named = new FileSystemException(target.toString(), null, reason);
        named.initCause(e);
        return named;
    }

    /** Unless committed: removes the temporary file, leaving the target untouched. */
    @Override
    public void close() {
        deleteTemp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or about to: it deletes the file too
        }
    }

    private void deleteTemp() {
        try {
            channel.close();
            if (!committed) {
                Files.deleteIfExists(temp);
            }
        } catch (IOException ignored) {
            // best effort: nothing more can be done for a file we could not delete
        }
    }
}
