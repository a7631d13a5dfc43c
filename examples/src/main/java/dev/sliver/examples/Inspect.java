package dev.sliver.examples;

import dev.sliver.codec.RecordScanner;
import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code sliver inspect [--records] IN}: walks every record's header and length table (never the
 * payloads, so any file is inspected in bounded memory) and prints counts and blob sizes, then
 * whether the file is valid; {@code --records} adds a line per record. An invalid file prints what
 * was valid before the fault and exits with status 1.
 */
final class Inspect {
    /** The median is exact up to this many blobs, then taken over the first this-many. */
    private static final int MEDIAN_SAMPLE = 1 << 22;

    private final Args args;
    private final PrintStream out;
    private final PrintStream err;

    Inspect(Args args, PrintStream out, PrintStream err) {
        this.args = args;
        this.out = out;
        this.err = err;
    }

    int run() throws IOException {
        Path input = Path.of(args.operands(1, 1, "IN.strg").getFirst());
        boolean perRecord = args.has("--records");
        long records = 0;
        long payload = 0;
        long[] blobs = {0};
        long[] minMax = {Long.MAX_VALUE, 0};
        long[][] sample = {new long[1024]};
        String fault = null;
        try (RecordScanner scan = RecordScanner.open(input)) {
            for (dev.sliver.codec.RecordHeader h; (h = scan.next((index, offset, length) -> {
                if (blobs[0] < MEDIAN_SAMPLE) {
                    if (blobs[0] == sample[0].length) {
                        sample[0] = Arrays.copyOf(sample[0], (int) Math.min(2L * sample[0].length, MEDIAN_SAMPLE));
                    }
                    sample[0][(int) blobs[0]] = length;
                }
                blobs[0]++;
                minMax[0] = Math.min(minMax[0], length);
                minMax[1] = Math.max(minMax[1], length);
            })) != null; ) {
                if (perRecord) {
                    out.println("record " + records + ": offset " + h.offset() + ", " + h.count() + " blobs, "
                            + h.payloadBytes() + " payload bytes");
                }
                records++;
                payload += h.payloadBytes();
            }
        } catch (CorruptRecordException e) {
            fault = e.getMessage();
        }
        out.println("file:    " + input);
        out.println("records: " + records);
        out.println("blobs:   " + blobs[0]);
        out.println("payload: " + payload + " bytes");
        if (blobs[0] > 0) {
            int n = (int) Math.min(blobs[0], MEDIAN_SAMPLE);
            long[] sorted = Arrays.copyOf(sample[0], n);
            Arrays.sort(sorted);
            out.println("blob size min/median/max: " + minMax[0] + " / " + sorted[(n - 1) / 2] + " / " + minMax[1]
                    + (blobs[0] > n ? " (median of the first " + n + " blobs)" : ""));
        }
        if (fault == null && records == 0) {
            fault = input + ": no record: the file is empty at byte 0";
        }
        out.println("valid:   " + (fault == null ? "yes" : "no: " + Main.printable(fault)));
        if (fault != null) {
            err.println("sliver: " + Main.printable(fault));
            return 1;
        }
        return 0;
    }
}
