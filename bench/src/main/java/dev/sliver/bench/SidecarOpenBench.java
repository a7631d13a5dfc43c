package dev.sliver.bench;

import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordAppender;
import dev.sliver.codec.RecordFile;
import dev.sliver.codec.RecordFiles;
import org.openjdk.jmh.annotations.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Opening a file of a million 1 KiB records (1 GiB) in MAP mode from its sidecar, and closing
 * it: what an application pays to start serving a large log (issue 20). Its own file, so that
 * the sidecar never changes what {@code FileBench.open} and {@code openOnly} measure. The floor,
 * {@code sidecarBulkRead}: one positional bulk read of the whole sidecar (24 MB) into a reused
 * segment, what any open that checks every entry pays at least.
 */
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class SidecarOpenBench {
    static final int RECORDS = 1_000_000;
    static final int BLOB = 1000; // 1,024 bytes a record with its header and length
    private Path path;
    private ReadOptions options;
    private Arena arena;
    private MemorySegment floor;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        path = Path.of(System.getProperty("java.io.tmpdir"), "sliver-filebench-sidecar-1000000x1.strg");
        if (!Files.exists(path) || Files.size(path) != (long) RECORDS * (BLOB + 24)
                || !Files.exists(RecordFiles.sidecarOf(path))) {
            Files.deleteIfExists(path);
            Files.deleteIfExists(RecordFiles.sidecarOf(path));
            byte[] blob = new byte[BLOB];
            try (RecordAppender appender = RecordAppender.open(path, RecordAppender.Durability.NONE)) {
                for (int r = 0; r < RECORDS; r++) {
                    appender.append(List.of(blob));
                }
            }
        }
        options = ReadOptions.defaults().withMaxRecordBytes(Long.MAX_VALUE);
        try (RecordFile records = RecordFile.open(path, RecordFile.Mode.MAP, options)) {
            if (records.checksummedRecords() != RECORDS) {
                throw new IllegalStateException(path + ": the sidecar vouches for " + records.checksummedRecords()
                        + " records, not " + RECORDS);
            }
        }
        arena = Arena.ofShared();
        floor = arena.allocate(Files.size(RecordFiles.sidecarOf(path)), 8);
    }

    /** Frees the floor's buffer. */
    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** Open and close: the places come from the sidecar (milliseconds a call). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int openFromSidecar() throws IOException {
        try (RecordFile records = RecordFile.open(path, RecordFile.Mode.MAP, options)) {
            return records.size();
        }
    }

    /** The floor: the sidecar's bytes, read in one positional bulk read into a reused segment. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public long sidecarBulkRead() throws IOException {
        try (FileChannel channel = FileChannel.open(RecordFiles.sidecarOf(path))) {
            ByteBuffer buffer = floor.asByteBuffer();
            while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
                // the whole sidecar
            }
            return buffer.position();
        }
    }
}
