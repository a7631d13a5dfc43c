package dev.sliver.examples;

import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordReader;
import dev.sliver.core.Batch;
import dev.sliver.core.Slice;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sliver unpack [--all] IN DIR}: writes blob i as {@code DIR/%08d}, from the first record,
 * or from every record with {@code --all} (numbering continues across records).
 */
final class Unpack {
    private final List<String> args;
    private final PrintStream out;
    private final PrintStream err;

    Unpack(List<String> args, PrintStream out, PrintStream err) {
        this.args = new ArrayList<>(args);
        this.out = out;
        this.err = err;
    }

    void run() throws IOException {
        boolean all = args.remove("--all");
        if (args.size() != 2) {
            throw new UsageException("unpack needs IN.strg and DIR");
        }
        Path input = Path.of(args.get(0));
        Path dir = Files.createDirectories(Path.of(args.get(1)));
        long blobs = 0;
        int records = 0;
        Progress progress = new Progress(err, "unpacked blobs", 0);
        try (RecordReader reader = RecordReader.open(input, ReadOptions.defaults())) {
            Batch batch = reader.next();
            if (batch == null) {
                throw new dev.sliver.core.CorruptRecordException(input.toString(), 0, "no record: the file is empty");
            }
            while (batch != null) {
                try (Batch current = batch) {
                    for (Slice blob : current) {
                        write(blob, dir.resolve(String.format("%08d", blobs++)));
                        progress.update(blobs);
                    }
                }
                records++;
                batch = all ? reader.next() : null;
            }
        }
        progress.done();
        out.println("unpacked " + blobs + " blobs from " + records + (records == 1 ? " record" : " records") + " into " + dir);
    }

    private static void write(Slice blob, Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            blob.writeTo(channel);
        }
    }
}
