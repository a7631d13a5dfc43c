package dev.sliver.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 G: opening for append and every maintenance tool run in memory bounded independently
 * of the record count. The report: with a 24 MiB heap, verify, repair and pack --append ran out of
 * memory on a file of a million tiny records. A child JVM with that heap does all of them here.
 */
class BoundedMemoryTest {
    static final int RECORDS = 1_000_000;

    @TempDir
    Path dir;

    /** Run in the child JVM: every bounded-memory path over the file named by {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        RecordFiles.Report verified = RecordFiles.verify(file);
        check(verified.checksummed() == RECORDS, "verify checked " + verified.checksummed());
        check(RecordFiles.check(file).records() == RECORDS, "check");
        check(RecordFiles.repair(file, false).records() == RECORDS, "repair");
        try (RecordAppender appender = RecordAppender.open(file, RecordAppender.Durability.FORCE)) {
            check(appender.records() == RECORDS, "open for append");
            appender.append(List.of(new byte[] {1}));
        }
        try (RecordScanner scanner = RecordScanner.open(file)) {
            long n = 0;
            while (scanner.next((index, offset, length) -> { }) != null) {
                n++;
            }
            check(n == RECORDS + 1, "scanner");
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    @Test
    void aMillionRecordsAreMaintainedInATwentyFourMebibyteHeap() throws Exception {
        Path file = dir.resolve("tiny.strg");
        ByteBuffer bytes = ByteBuffer.allocate(RECORDS * 25).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < RECORDS; i++) {
            bytes.putLong(17).putLong(1).putLong(1).put((byte) i); // one blob of one byte
        }
        Files.write(file, bytes.array());
        RecordFiles.index(file); // the sidecar: 24 MB of entries, more than the child's whole heap
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx24m", "-cp", System.getProperty("java.class.path"), BoundedMemoryTest.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the child finished");
        assertEquals(0, child.exitValue(), output);
    }
}
