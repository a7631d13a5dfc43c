package dev.sliver.bench;

import dev.sliver.netty.SliverByteBufAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/** {@code directBuffer(size)}, write 8 bytes, release: Netty's allocators against Sliver's, 1 and 2 threads. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ByteBufAllocatorBench {
    @Param({"sliver", "nettyPooled", "nettyAdaptive"})
    public String impl;

    @Param({"64", "4096", "32768"})
    public int size;

    private ByteBufAllocator allocator;

    @Setup
    public void setUp() {
        allocator = switch (impl) {
            case "sliver" -> SliverByteBufAllocator.DEFAULT;
            case "nettyPooled" -> new PooledByteBufAllocator(true);
            case "nettyAdaptive" -> new AdaptiveByteBufAllocator(true, true);
            default -> throw new IllegalArgumentException(impl);
        };
    }

    @Benchmark
    public long oneThread() {
        return cycle();
    }

    @Benchmark
    @Threads(2)
    public long twoThreads() {
        return cycle();
    }

    private long cycle() {
        ByteBuf buf = allocator.directBuffer(size);
        buf.writeLong(42);
        long v = buf.getLong(0);
        buf.release();
        return v;
    }
}
