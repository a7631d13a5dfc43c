package dev.sliver.bench;

import dev.sliver.codec.Codec;
import dev.sliver.codec.ReadOptions;
import dev.sliver.codec.RecordReader;
import dev.sliver.codec.RecordWriter;
import dev.sliver.core.Batch;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * Records of 1 KiB (one blob of 1,000 bytes) read from a pipe that a thread keeps full: 64 MiB
 * (65,536 records) per operation. {@code reader}: one RecordReader.readingAhead for the whole
 * trial; {@code perRecord}: Codec.tryDeserialize per record (stateless: a stream is never read
 * past its record, so two reads per record); {@code bulkRead}: the same bytes read into a reused
 * 1 MiB buffer, no parsing (the floor).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class StreamBench {
    static final int RECORD_BYTES = 1024;
    static final int RECORDS_PER_OP = 65_536;

    @Param({"reader", "perRecord", "bulkRead"})
    public String mode;

    private Pipe pipe;
    private Thread feeder;
    private volatile boolean stop;
    private RecordReader reader;
    private ReadOptions options;
    private ByteBuffer bulk;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        new RecordWriter().add(MemorySegment.ofArray(new byte[RECORD_BYTES - 24])).writeTo(Channels.newChannel(one));
        byte[] record = one.toByteArray();
        if (record.length != RECORD_BYTES) {
            throw new IllegalStateException("record of " + record.length + " bytes");
        }
        // 4 MiB of records, written again and again: an operation reads 16 of them.
        ByteBuffer chunk = ByteBuffer.allocateDirect(4 << 20);
        while (chunk.hasRemaining()) {
            chunk.put(record);
        }
        pipe = Pipe.open();
        feeder = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (!stop) {
                    ByteBuffer out = chunk.duplicate().clear();
                    while (out.hasRemaining()) {
                        pipe.sink().write(out);
                    }
                }
            } catch (IOException e) {
                // the pipe was closed at the end of the trial
            }
        });
        options = ReadOptions.defaults();
        ReadableByteChannel source = pipe.source();
        reader = RecordReader.readingAhead(source, "pipe", options);
        bulk = ByteBuffer.allocateDirect(1 << 20);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        stop = true;
        pipe.source().close();
        pipe.sink().close();
        feeder.join();
    }

    @Benchmark
    public long read(Blackhole bh) throws IOException {
        return switch (mode) {
            case "reader" -> {
                long blobs = 0;
                for (int r = 0; r < RECORDS_PER_OP; r++) {
                    try (Batch batch = reader.next()) {
                        bh.consume(batch.get(0).get(0));
                        blobs += batch.size();
                    }
                }
                yield blobs;
            }
            case "perRecord" -> {
                long blobs = 0;
                for (int r = 0; r < RECORDS_PER_OP; r++) {
                    try (Batch batch = Codec.tryDeserialize(pipe.source(), options)) {
                        bh.consume(batch.get(0).get(0));
                        blobs += batch.size();
                    }
                }
                yield blobs;
            }
            case "bulkRead" -> {
                long left = (long) RECORDS_PER_OP * RECORD_BYTES;
                while (left > 0) {
                    bulk.clear().limit((int) Math.min(bulk.capacity(), left));
                    int n = pipe.source().read(bulk);
                    if (n < 0) {
                        throw new IOException("the pipe ended");
                    }
                    left -= n;
                }
                yield RECORDS_PER_OP;
            }
            default -> throw new IllegalArgumentException(mode);
        };
    }
}
