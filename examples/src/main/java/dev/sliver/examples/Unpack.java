package dev.sliver.examples;

import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordScanner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * {@code sliver unpack [--all] [--force] IN DIR}: writes blob i as {@code DIR/%08d}, from the first
 * record, or from every record with {@code --all} (numbering continues across records).
 *
 * <p>Memory stays bounded whatever the file's size: only headers and length tables are read
 * ({@link RecordScanner}), and each blob goes from IN to its file by {@code transferTo}, inside the
 * kernel. DIR is created only once the first record's header has been checked, and removed again
 * if nothing was written into it. Existing files are not overwritten without {@code --force}, and
 * a symbolic link in DIR is never followed.
 */
final class Unpack {
    private final Args args;
    private final PrintStream out;
    private final PrintStream err;

    Unpack(Args args, PrintStream out, PrintStream err) {
        this.args = args;
        this.out = out;
        this.err = err;
    }

    int run() throws IOException {
        List<String> operands = args.operands(2, 2, "IN.strg and DIR");
        Path input = Path.of(operands.get(0));
        Path dir = Path.of(operands.get(1));
        boolean all = args.has("--all");
        OpenOption[] create = args.has("--force")
                ? new OpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS}
                : new OpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS};
        long[] blobs = {0};
        int records = 0;
        Progress progress = new Progress(err, "unpacked blobs", 0);
        if (Files.exists(input) && !Files.isRegularFile(input)) { // a FIFO would block the open itself
            throw new FileSystemException(input.toString(), null, "not a regular file (unpack reads blobs by position)");
        }
        try (FileChannel in = FileChannel.open(input, StandardOpenOption.READ);
             RecordScanner scan = new RecordScanner(in, input, ReadOptions.DEFAULT_MAX_RECORD_BYTES)) {
            RecordScanner.BlobVisitor write = (index, offset, length) -> {
                ensureDir(dir);
                Path file = dir.resolve(String.format("%08d", blobs[0]));
                try (FileChannel blob = open(file, create)) {
                    for (long done = 0; done < length; ) {
                        long n = in.transferTo(offset + done, length - done, blob);
                        if (n <= 0) { // transferTo says 0 at the end of a file: it shrank, never wait for it
                            throw new IOException(input + ": the file shrank while it was unpacked (truncated by "
                                    + "another program?) at byte " + (offset + done));
                        }
                        done += n;
                    }
                }
                progress.update(++blobs[0]);
            };
            do {
                long at = scan.position();
                if (scan.next(write) == null) {
                    if (records == 0) {
                        throw new dev.sliver.core.CorruptRecordException(input.toString(), at, "no record: the file is empty");
                    }
                    break;
                }
                records++;
            } while (all);
            ensureDir(dir); // a record of no blobs still gives its (empty) DIR
        } catch (IOException | RuntimeException e) {
            if (madeDir && blobs[0] == 0) {
                try {
                    Files.deleteIfExists(dir); // created for a first blob that failed: leave nothing behind
                } catch (IOException notEmpty) {
                    e.addSuppressed(notEmpty);
                }
            }
            throw e;
        }
        progress.done();
        out.println("unpacked " + blobs[0] + " blobs from " + records + (records == 1 ? " record" : " records") + " into " + dir);
        return 0;
    }

    /** Opens a blob's file; errors name it (the JDK's message for a link does not). */
    private static FileChannel open(Path file, OpenOption[] options) throws IOException {
        try {
            return FileChannel.open(file, options);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw e;
        } catch (IOException e) {
            throw AtomicReplace.onTarget(file, e);
        }
    }

    /** Whether this run created DIR (and so may remove it again). */
    private boolean madeDir;

    private void ensureDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            madeDir = true;
        }
    }
}
