package dev.sliver.bench;

import dev.sliver.codec.Codec;
import dev.sliver.codec.ReadOptions;
import dev.sliver.core.Batch;
import dev.sliver.examples.CopyingReader;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reading one record from a file, four ways:
 * <ul>
 *   <li>{@code sliver} — {@code Codec.deserialize(FileChannel)}: one segment, blobs as views;</li>
 *   <li>{@code sliverMap} — {@code Codec.map(Path)}: the page cache, no copy;</li>
 *   <li>{@code copying} — read into a heap buffer, then one {@code byte[]} per blob (the design
 *       note's first version);</li>
 *   <li>{@code bulkRead} — the whole file into one reused, already-touched segment, no parsing:
 *       the floor any reader pays for the I/O.</li>
 * </ul>
 * Shapes: {@code 10000x50} (the design note's record, 580 KB) and {@code 262144x4096} (1 GiB).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CodecBench {
    @Param({"sliver", "sliverMap", "copying", "bulkRead"})
    public String mode;

    @Param({"10000x50", "262144x4096"})
    public String shape;

    private Path file;
    private FileChannel channel;
    private MemorySegment floor;
    private ReadOptions options;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String[] parts = shape.split("x");
        int count = Integer.parseInt(parts[0]);
        int size = Integer.parseInt(parts[1]);
        file = Path.of(System.getProperty("java.io.tmpdir"), "sliver-bench-" + shape + ".strg");
        long expected = 16 + 8L * count + (long) count * size;
        if (!Files.exists(file) || Files.size(file) != expected) {
            Files.deleteIfExists(file);
            List<byte[]> blobs = new ArrayList<>(count);
            byte[] blob = new byte[size];
            for (int i = 0; i < count; i++) {
                blobs.add(blob);
            }
            Codec.write(file, blobs);
        }
        channel = FileChannel.open(file, StandardOpenOption.READ);
        floor = Arena.global().allocate(channel.size(), 4096);
        options = ReadOptions.defaults().withMaxRecordBytes(Long.MAX_VALUE);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        channel.close();
    }

    @Benchmark
    public void read(Blackhole bh) throws IOException {
        channel.position(0);
        switch (mode) {
            case "sliver" -> {
                try (Batch batch = Codec.deserialize(channel, options)) {
                    bh.consume(batch.length(batch.size() - 1));
                }
            }
            case "sliverMap" -> {
                try (Batch batch = Codec.map(file, options)) {
                    bh.consume(batch.length(batch.size() - 1));
                }
            }
            case "copying" -> bh.consume(CopyingReader.read(channel));
            case "bulkRead" -> bh.consume(bulkRead());
            default -> throw new IllegalArgumentException(mode);
        }
    }

    private long bulkRead() throws IOException {
        return BulkRead.into(channel, floor);
    }

}
