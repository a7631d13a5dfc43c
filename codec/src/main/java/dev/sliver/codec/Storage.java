package dev.sliver.codec;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * The file-system calls through which the record-file layer changes files: opening for write,
 * renaming, linking and forcing directories. One seam, so that a test can record every write and
 * force and play back what a power loss leaves (LevelDB's {@code Env} in its fault-injection
 * test). {@link #DEFAULT} is the real file system.
 */
interface Storage {
    /** The real file system. */
    Storage DEFAULT = new Storage() {
    };

    /** Opens {@code path} as {@link FileChannel#open(Path, Set, java.nio.file.attribute.FileAttribute[])} does. */
    default FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
        return FileChannel.open(path, options);
    }

    /** Renames {@code source} over {@code target} atomically. */
    default void move(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Gives {@code existing} a second name {@code link} (a copy where links are not supported). */
    default void link(Path link, Path existing) throws IOException {
        try {
            Files.createLink(link, existing);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            Files.copy(existing, link, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        }
    }

    /**
     * Forces {@code directory}, so that the names created or renamed in it survive a power loss
     * (POSIX: an fsync of the file does not make its directory entry durable).
     */
    default void forceDirectory(Path directory) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(directory, StandardOpenOption.READ);
        } catch (IOException e) {
            return; // a platform that cannot open directories (Windows) makes names durable itself
        }
        try (channel) {
            channel.force(true);
        } catch (IOException e) {
            throw new IOException(directory + ": forcing the directory failed: " + Reasons.of(e), e);
        }
    }
}
