package dev.sliver.bench;

import dev.sliver.codec.Codec;
import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordAppender;
import dev.sliver.codec.RecordFile;
import dev.sliver.codec.RecordReader;
import dev.sliver.codec.RecordWriter;
import dev.sliver.core.Batch;
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
 * Whole files of records, against the floor any reader pays: a bulk read of the file into a
 * reused segment. {@code open} opens a 1 GiB file and visits every blob (one byte of each):
 * {@code read} (RecordFile READ: one block), {@code map} (RecordFile MAP: one mapping),
 * {@code perRecord} (a loop of Codec.tryDeserialize calls on one FileChannel), {@code reader} (a
 * loop of RecordReader.next on RecordReader.open(path), which reads ahead), {@code bulkRead} (the floor).
 * {@code openOnly} measures opening alone (the header scan) in MAP mode. Shapes:
 * {@code 10000x100} (10,000 records of 100 blobs of 1 KiB) and {@code 1000000x1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class FileBench {
    @Param({"read", "map", "perRecord", "reader", "bulkRead"})
    public String mode;

    @Param({"10000x100", "1000000x1"})
    public String shape;

    private Path file;
    private FileChannel channel;
    private MemorySegment floor;
    private ReadOptions options;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String[] parts = shape.split("x");
        int records = Integer.parseInt(parts[0]);
        int blobs = Integer.parseInt(parts[1]);
        int blobSize = (int) ((1L << 30) / records / blobs);
        file = Path.of(System.getProperty("java.io.tmpdir"), "sliver-filebench-" + shape + ".strg");
        long expected = (long) records * (16 + 8L * blobs + (long) blobs * blobSize);
        if (!Files.exists(file) || Files.size(file) != expected) {
            Files.deleteIfExists(file);
            List<MemorySegment> record = new ArrayList<>();
            for (int b = 0; b < blobs; b++) {
                record.add(MemorySegment.ofArray(new byte[blobSize]));
            }
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                for (int r = 0; r < records; r++) {
                    RecordWriter writer = new RecordWriter();
                    record.forEach(writer::add);
                    writer.writeTo(out);
                }
            }
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
    public long open(Blackhole bh) throws IOException {
        return switch (mode) {
            case "read" -> visit(RecordFile.Mode.READ, bh);
            case "map" -> visit(RecordFile.Mode.MAP, bh);
            case "perRecord" -> perRecord(bh);
            case "reader" -> reader(bh);
            case "bulkRead" -> bulkRead();
            default -> throw new IllegalArgumentException(mode);
        };
    }

    /** Opening alone: the header scan (MAP mode touches one page per record for its header). */
    @Benchmark
    public int openOnly() throws IOException {
        try (RecordFile records = RecordFile.open(file, RecordFile.Mode.MAP, options)) {
            return records.size();
        }
    }

    private long visit(RecordFile.Mode fileMode, Blackhole bh) throws IOException {
        long blobs = 0;
        try (RecordFile records = RecordFile.open(file, fileMode, options)) {
            for (int i = 0; i < records.size(); i++) {
                try (Batch batch = records.get(i)) {
                    for (int b = 0; b < batch.size(); b++) {
                        bh.consume(batch.get(b).get(0));
                        blobs++;
                    }
                }
            }
        }
        return blobs;
    }

    private long perRecord(Blackhole bh) throws IOException {
        long blobs = 0;
        channel.position(0);
        for (;;) {
            try (Batch batch = Codec.tryDeserialize(channel, options)) {
                if (batch == null) {
                    return blobs;
                }
                for (int b = 0; b < batch.size(); b++) {
                    bh.consume(batch.get(b).get(0));
                    blobs++;
                }
            }
        }
    }

    private long reader(Blackhole bh) throws IOException {
        long blobs = 0;
        try (RecordReader reader = RecordReader.open(file, options)) {
            for (;;) {
                try (Batch batch = reader.next()) {
                    if (batch == null) {
                        return blobs;
                    }
                    for (int b = 0; b < batch.size(); b++) {
                        bh.consume(batch.get(b).get(0));
                        blobs++;
                    }
                }
            }
        }
    }

    private long bulkRead() throws IOException {
        return BulkRead.into(channel, floor);
    }

    /** CRC32C verification of the whole 1 GiB file (MAP mode, pages cached) next to the read floor above. */
    @State(Scope.Benchmark)
    public static class Verify {
        private RecordFile records;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            Path path = Path.of(System.getProperty("java.io.tmpdir"), "sliver-filebench-10000x100.strg");
            if (!Files.exists(path)) {
                throw new IllegalStateException("run FileBench.open first: it writes " + path);
            }
            dev.sliver.codec.RecordFiles.index(path); // the sidecar with the checksums
            records = RecordFile.open(path, RecordFile.Mode.MAP, ReadOptions.defaults());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            records.close();
        }

        @Benchmark
        public int verify() throws IOException {
            return records.verify();
        }
    }

    /**
     * Recovery of a file of 10,000,000 records of one byte (250 MB, and a 240 MB sidecar): the
     * survey behind {@code RecordAppender.open} and the tools, data and sidecar read in one pass
     * in bounded memory (issue 17: 73.6 s and 803 MB RSS before).
     */
    @State(Scope.Benchmark)
    public static class Recover {
        static final int RECORDS = 10_000_000;
        private Path path;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            path = Path.of(System.getProperty("java.io.tmpdir"), "sliver-filebench-10M.strg");
            if (!Files.exists(path) || Files.size(path) != 25L * RECORDS) {
                java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(25 * 100_000).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    for (int r = 0; r < RECORDS; r += 100_000) {
                        chunk.clear();
                        for (int i = 0; i < 100_000; i++) {
                            chunk.putLong(17).putLong(1).putLong(1).put((byte) i);
                        }
                        chunk.flip();
                        while (chunk.hasRemaining()) {
                            out.write(chunk);
                        }
                    }
                }
                Files.deleteIfExists(dev.sliver.codec.RecordFiles.sidecarOf(path));
            }
            dev.sliver.codec.RecordFiles.index(path);
        }

        @Benchmark
        @Warmup(iterations = 1)
        @Measurement(iterations = 3)
        public long check() throws IOException {
            return dev.sliver.codec.RecordFiles.check(path).records();
        }

        @Benchmark
        @Warmup(iterations = 1)
        @Measurement(iterations = 3)
        public long openForAppend() throws IOException {
            try (RecordAppender appender = RecordAppender.open(path, RecordAppender.Durability.NONE)) {
                return appender.records();
            }
        }
    }
}
