package dev.sliver.examples;

import dev.sliver.codec.RecordFiles;
import dev.sliver.codec.RecordScanner;
import dev.sliver.core.CorruptRecordException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code sliver inspect [--records] [--json] IN}: walks every record's header and length table
 * (never the payloads, so any file is inspected in bounded memory) and prints counts and blob
 * sizes, then whether the file is valid; {@code --records} adds a line per record. An invalid file
 * prints what was valid before the fault and exits with status 1. A torn tail (what an interrupted
 * append leaves, FORMAT.md's torn-tail rule) does not make a file invalid: readers ignore it and the
 * next append or {@code sliver repair} cuts it, so it is reported on a line of its own.
 *
 * <p>{@code --json} prints the same as one JSON object on one line, for scripts:
 * <pre>{@code
 * {"file":"a.strg","records":2,"blobs":3,"payload_bytes":15,
 *  "blob_size":{"min":2,"median":3,"max":10,"median_of":3},"valid":true,"reason":null,"torn_tail_bytes":0}
 * }</pre>
 * with {@code "blob_size":null} when there is no blob, and, with {@code --records}, a
 * {@code "record_list"} array of {@code {"index","offset","blobs","payload_bytes"}} objects
 * (streamed as the file is scanned, so it too takes bounded memory).
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
        boolean json = args.has("--json");
        long records = 0;
        long payload = 0;
        long[] blobs = {0};
        long[] minMax = {Long.MAX_VALUE, 0};
        long[][] sample = {new long[1024]};
        String fault = null;
        long scanned = 0;
        String jsonHead = "{\"file\":" + Json.quote(input.toString()) + (perRecord ? ",\"record_list\":[" : "");
        boolean headPrinted = false;
        try (RecordScanner scan = RecordScanner.open(input)) {
            if (json) { // only once the file is open: a file that cannot be opened prints no half object
                out.print(jsonHead);
                headPrinted = true;
            }
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
                if (perRecord && json) {
                    out.print((records == 0 ? "" : ",") + "{\"index\":" + records + ",\"offset\":" + h.offset()
                            + ",\"blobs\":" + h.count() + ",\"payload_bytes\":" + h.payloadBytes() + "}");
                } else if (perRecord) {
                    out.println("record " + records + ": offset " + h.offset() + ", " + h.count() + " blobs, "
                            + h.payloadBytes() + " payload bytes");
                }
                records++;
                payload += h.payloadBytes();
                scanned = h.end();
            }
        } catch (CorruptRecordException e) {
            fault = e.getMessage();
        } catch (IOException e) {
            if (!headPrinted) {
                throw e; // stdout still empty: the usual one-line error
            }
            fault = Main.describe(e); // the object is begun: finish it, so stdout never holds half of one
        }
        long tornTail = 0;
        if (fault != null && records > 0) {
            RecordFiles.Report report = tornTailAfter(input, records, scanned);
            if (report != null) {
                tornTail = report.tailBytes();
                fault = null;
            }
        }
        int sampled = (int) Math.min(blobs[0], MEDIAN_SAMPLE);
        long median = 0;
        if (sampled > 0) {
            long[] sorted = Arrays.copyOf(sample[0], sampled);
            Arrays.sort(sorted);
            median = sorted[(sampled - 1) / 2];
        }
        if (fault == null && records == 0) {
            fault = input + ": no record: the file is empty at byte 0";
        }
        if (json) {
            out.println((headPrinted ? "" : jsonHead) + (perRecord ? "]" : "") + ",\"records\":" + records + ",\"blobs\":" + blobs[0]
                    + ",\"payload_bytes\":" + payload + ",\"blob_size\":" + (sampled == 0 ? "null"
                    : "{\"min\":" + minMax[0] + ",\"median\":" + median + ",\"max\":" + minMax[1]
                    + ",\"median_of\":" + sampled + "}")
                    + ",\"valid\":" + (fault == null) + ",\"reason\":" + Json.quoteOrNull(fault)
                    + ",\"torn_tail_bytes\":" + tornTail + "}");
        } else {
            out.println("file:    " + input);
            out.println("records: " + records);
            out.println("blobs:   " + blobs[0]);
            out.println("payload: " + payload + " bytes");
            if (sampled > 0) {
                out.println("blob size min/median/max: " + minMax[0] + " / " + median + " / " + minMax[1]
                        + (blobs[0] > sampled ? " (median of the first " + sampled + " blobs)" : ""));
            }
            if (tornTail > 0) {
                out.println("tail:    " + tornTail + " bytes of a torn append at byte " + scanned
                        + " (readers ignore it; the next append or sliver repair cuts it)");
            }
            out.println("valid:   " + (fault == null ? "yes" : "no: " + Main.printable(fault)));
        }
        if (fault != null) {
            err.println("sliver: " + Main.printable(fault));
            return 1;
        }
        return 0;
    }

    /**
     * The file's report if the scan stopped at a torn tail right after {@code records} records
     * ending at byte {@code end}, else null: a fault there is corruption after all (the sidecar may
     * vouch for the record that looks cut short), and the scan's message stands.
     */
    private static RecordFiles.Report tornTailAfter(Path input, long records, long end) throws IOException {
        RecordFiles.Report report = RecordFiles.check(input);
        boolean torn = report.tail() == RecordFiles.Tail.TORN && report.records() == records
                && report.validBytes() == end;
        return torn ? report : null;
    }
}
