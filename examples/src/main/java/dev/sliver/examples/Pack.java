package dev.sliver.examples;

import dev.sliver.codec.RecordAppender;
import dev.sliver.codec.RecordWriter;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code sliver pack [--append] [--force] OUT FILE|DIR...}: each regular file becomes one blob; a directory
 * contributes its regular files sorted by name (not recursively). Input files are memory-mapped
 * and written with gathering writes, so packing copies nothing through the heap; a file whose size
 * reads 0 (as in /proc) is read to its end instead. Without {@code --append} the record goes to a
 * temporary file that then replaces OUT atomically (keeping OUT's permissions); with it, the record
 * goes through a {@link RecordAppender}: a torn tail is cut first, the append is forced to disk
 * before the tool says it is done, and a failed append truncates OUT back to its previous length.
 */
final class Pack {
    private final Args args;
    private final PrintStream out;
    private final PrintStream err;

    Pack(Args args, PrintStream out, PrintStream err) {
        this.args = args;
        this.out = out;
        this.err = err;
    }

    int run() throws IOException {
        List<String> operands = args.operands(2, Integer.MAX_VALUE, "OUT.strg and at least one FILE or DIR");
        boolean append = args.has("--append");
        Path target = Path.of(operands.getFirst());
        List<Path> inputs = inputs(operands.subList(1, operands.size()));
        long written;
        try (Arena arena = Arena.ofShared()) {
            RecordWriter record = new RecordWriter();
            Progress progress = new Progress(err, "mapping", inputs.size());
            int done = 0;
            for (Path input : inputs) {
                try (FileChannel channel = FileChannel.open(input, StandardOpenOption.READ)) {
                    long size = channel.size();
                    if (size > 0) {
                        record.add(channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena));
                    } else {
                        record.add(ByteBuffer.wrap(Files.readAllBytes(input))); // /proc files say 0 and have bytes
                    }
                }
                progress.update(++done);
            }
            progress.done();
            if (!append && !args.has("--force")) {
                refuseToReplaceOtherFiles(target);
            }
            written = append ? appendTo(target, record) : replace(target, record);
        }
        out.println((append ? "appended " : "packed ") + inputs.size() + " blobs (" + written + " bytes) to " + target);
        return 0;
    }

    /** Through the appender: a torn tail left by a crash is cut first, and the append is forced to disk. */
    private static long appendTo(Path target, RecordWriter record) throws IOException {
        try (RecordAppender appender = RecordAppender.open(target, RecordAppender.Durability.FORCE)) {
            return appender.append(record).bytes();
        }
    }

    /**
     * Operands swapped by mistake ({@code pack notes.txt out.strg}) would replace a file that is
     * not a record file with a record: refused unless {@code --force}. An empty file, or one that
     * starts with a record, is replaced as asked.
     */
    private static void refuseToReplaceOtherFiles(Path target) throws IOException {
        if (Files.isRegularFile(target) && Files.size(target) > 0) {
            dev.sliver.codec.RecordFiles.Report found = dev.sliver.codec.RecordFiles.check(target);
            if (found.records() == 0 && found.tail() == dev.sliver.codec.RecordFiles.Tail.CORRUPT) {
                throw new java.nio.file.FileSystemException(target.toString(), null,
                        "exists and is not a record file: not replaced (pack --force replaces it; are the operands swapped?)");
            }
        }
    }

    private static long replace(Path target, RecordWriter record) throws IOException {
        try (AtomicReplace replace = AtomicReplace.create(target)) {
            long written;
            try {
                written = record.writeTo(replace.channel());
            } catch (IOException e) {
                throw AtomicReplace.onTarget(target, e);
            }
            replace.commit();
            dev.sliver.codec.RecordFiles.index(target); // a fresh sidecar: 'sliver verify' works on what pack wrote
            return written;
        }
    }

    /** Expands directories into their regular files, sorted by name. */
    private static List<Path> inputs(List<String> names) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            Path path = Path.of(name);
            if (Files.isDirectory(path)) {
                try (Stream<Path> children = Files.list(path)) {
                    children.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else if (!Files.exists(path)) {
                throw new java.nio.file.NoSuchFileException(name);
            } else {
                throw new java.nio.file.FileSystemException(name, null, "not a regular file or directory");
            }
        }
        return files;
    }
}
