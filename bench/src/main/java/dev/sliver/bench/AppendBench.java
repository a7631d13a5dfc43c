package dev.sliver.bench;

import dev.sliver.codec.GroupCommitAppender;
import dev.sliver.codec.RecordAppender;
import org.openjdk.jmh.annotations.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Appends of 1 KiB and 64 KiB records: through RecordAppender (NONE or FORCE) against a raw FileChannel write (+ force).
 * Until 2026-12-03 this was {@code FileBench.Appends}: the results under that name are these.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class AppendBench {
    @Param({"1024", "65536"})
    public int recordBytes;

    @Param({"appender", "raw"})
    public String how;

    private Path dir;
    private RecordAppender appender;
    private RecordAppender durable;
    private GroupCommitAppender grouped;
    private FileChannel raw;
    private int rawUnforced;
    private byte[] blob;
    private ByteBuffer rawRecord;

    @Setup(Level.Iteration)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sliver-appendbench");
        blob = new byte[recordBytes - 24];
        appender = RecordAppender.open(dir.resolve("a.strg"), RecordAppender.Durability.NONE);
        durable = RecordAppender.open(dir.resolve("d.strg"), RecordAppender.Durability.FORCE);
        grouped = GroupCommitAppender.open(dir.resolve("g.strg"), new GroupCommitAppender.Policy(64, java.time.Duration.ofMillis(5)));
        raw = FileChannel.open(dir.resolve("raw"), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        rawRecord = ByteBuffer.allocate(recordBytes);
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
        appender.close();
        durable.close();
        grouped.close();
        raw.close();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public long append() throws IOException {
        if (how.equals("raw")) {
            rawRecord.clear();
            return raw.write(rawRecord);
        }
        return appender.append(List.of(blob)).bytes();
    }

    @Benchmark
    public long appendForced() throws IOException {
        if (how.equals("raw")) {
            rawRecord.clear();
            int n = raw.write(rawRecord);
            raw.force(false);
            return n;
        }
        return durable.append(List.of(blob)).bytes();
    }

    /** Group commit, 64 records or 5 ms per fsync: records/s here, fsyncs/s = that / 64 or fewer. */
    @Benchmark
    public Object appendGrouped() throws IOException {
        if (how.equals("raw")) {
            rawRecord.clear();
            int n = raw.write(rawRecord);
            if (++rawUnforced == 64) {
                raw.force(false);
                rawUnforced = 0;
            }
            return n;
        }
        return grouped.append(List.of(blob));
    }
}
