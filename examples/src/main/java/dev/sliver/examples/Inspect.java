package dev.sliver.examples;

import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordReader;
import dev.sliver.core.Batch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code sliver inspect IN}: walks every record and prints counts and blob sizes, then whether the
 * file is valid. An invalid file prints what was valid before the fault and exits with status 1.
 */
final class Inspect {
    private final List<String> args;
    private final PrintStream out;
    private final PrintStream err;

    Inspect(List<String> args, PrintStream out, PrintStream err) {
        this.args = args;
        this.out = out;
        this.err = err;
    }

    int run() throws IOException {
        if (args.size() != 1) {
            throw new UsageException("inspect needs IN.strg");
        }
        Path input = Path.of(args.getFirst());
        long records = 0;
        long payload = 0;
        long[] sizes = new long[1024];
        int blobs = 0;
        String fault = null;
        try (RecordReader reader = RecordReader.open(input, ReadOptions.defaults())) {
            for (Batch batch = reader.next(); batch != null; batch = reader.next()) {
                try (Batch current = batch) {
                    records++;
                    payload += current.totalBytes();
                    if (blobs + current.size() > sizes.length) {
                        sizes = Arrays.copyOf(sizes, Math.max(sizes.length * 2, blobs + current.size()));
                    }
                    for (int i = 0; i < current.size(); i++) {
                        sizes[blobs++] = current.length(i);
                    }
                }
            }
        } catch (dev.sliver.core.CorruptRecordException e) {
            fault = e.getMessage();
        }
        out.println("file:    " + input);
        out.println("records: " + records);
        out.println("blobs:   " + blobs);
        out.println("payload: " + payload + " bytes");
        if (blobs > 0) {
            long[] sorted = Arrays.copyOf(sizes, blobs);
            Arrays.sort(sorted);
            out.println("blob size min/median/max: " + sorted[0] + " / " + sorted[(blobs - 1) / 2] + " / " + sorted[blobs - 1]);
        }
        if (fault == null && records == 0) {
            fault = input + ": no record: the file is empty at byte 0";
        }
        out.println("valid:   " + (fault == null ? "yes" : "no: " + fault));
        if (fault != null) {
            err.println("sliver: " + fault);
            return 1;
        }
        return 0;
    }
}
