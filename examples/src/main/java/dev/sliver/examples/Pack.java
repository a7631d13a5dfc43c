package dev.sliver.examples;

import dev.sliver.codec.Codec;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code sliver pack [--append] OUT FILE|DIR...}: each regular file becomes one blob; a directory
 * contributes its regular files sorted by name (not recursively). Input files are memory-mapped
 * and written with gathering writes, so packing copies nothing through the heap. Without
 * {@code --append} the record goes to a temporary file that then replaces OUT atomically.
 */
final class Pack {
    private final List<String> args;
    private final PrintStream out;
    private final PrintStream err;

    Pack(List<String> args, PrintStream out, PrintStream err) {
        this.args = new ArrayList<>(args);
        this.out = out;
        this.err = err;
    }

    void run() throws IOException {
        boolean append = args.remove("--append");
        if (args.size() < 2) {
            throw new UsageException("pack needs OUT.strg and at least one FILE or DIR");
        }
        Path target = Path.of(args.getFirst());
        List<Path> inputs = inputs(args.subList(1, args.size()));
        long written;
        try (Arena arena = Arena.ofShared()) {
            List<MemorySegment> blobs = new ArrayList<>(inputs.size());
            Progress progress = new Progress(err, "mapping", inputs.size());
            for (Path input : inputs) {
                try (FileChannel channel = FileChannel.open(input, StandardOpenOption.READ)) {
                    blobs.add(channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
                }
                progress.update(blobs.size());
            }
            progress.done();
            written = append ? appendTo(target, blobs) : replace(target, blobs);
        }
        out.println((append ? "appended " : "packed ") + inputs.size() + " blobs (" + written + " bytes) to " + target);
    }

    private static long appendTo(Path target, List<MemorySegment> blobs) throws IOException {
        try (FileChannel channel = FileChannel.open(target,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            return Codec.serializeSegments(blobs, channel);
        }
    }

    private static long replace(Path target, List<MemorySegment> blobs) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
        try {
            long written;
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                written = Codec.serializeSegments(blobs, channel);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return written;
        } finally {
            Files.deleteIfExists(temp);
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
                throw new IOException(name + ": not a regular file or directory");
            }
        }
        return files;
    }
}
