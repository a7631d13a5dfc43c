package dev.sliver.bench;

import dev.sliver.netty.SliverByteBufAllocator;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.openjdk.jmh.annotations.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Netty's allocators against Sliver's on plain threads, 1 and 2 of them, in three shapes:
 * <ul>
 *   <li>{@code oneThread}/{@code twoThreads}: {@code directBuffer(size)}, write and read 8 bytes, release;</li>
 *   <li>{@code replace*}: Netty's own shape (its microbench's {@code ByteBufAllocatorBenchmark}):
 *       8,192 live buffers per thread, each operation releases a random one and puts a new one of
 *       {@code size} bytes in its place, so blocks leave and come back in no particular order;</li>
 *   <li>{@code randomSizes*}: allocate, write, release, each time a size drawn at random from
 *       Netty's size classes between 64 B and 64 KiB (uniform over the classes, a fixed seed).</li>
 * </ul>
 * Netty gives its pooled and adaptive allocators thread-local caches on
 * {@link FastThreadLocalThread}s (its event loops); {@link ByteBufAllocatorFtlBench} runs the same
 * benchmarks on such threads. Each thread has its own live buffers; the allocator is shared.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ByteBufAllocatorBench {
    /** Live buffers per thread in the replacement shape, as in Netty's microbench. */
    static final int LIVE_BUFFERS = 8192;
    /** Indices (and sizes) are read from a precomputed cycle so that no random generator is measured. */
    private static final int CYCLE = 128 * 1024;
    private static final int[] NEXT_INDEX = new int[CYCLE];
    private static final int[] RANDOM_SIZE = new int[CYCLE];

    static {
        SplittableRandom random = new SplittableRandom(42);
        int[] classes = nettySizeClasses(64, 64 * 1024);
        for (int i = 0; i < CYCLE; i++) {
            NEXT_INDEX[i] = random.nextInt(LIVE_BUFFERS);
            RANDOM_SIZE[i] = classes[random.nextInt(classes.length)];
        }
    }

    /** The allocator under test, shared by the benchmark's threads as event loops share one. */
    @State(Scope.Benchmark)
    public static class Allocator {
        @Param({"sliver", "nettyPooled", "nettyAdaptive"})
        public String impl;

        ByteBufAllocator allocator;

        @Setup
        public void setUp() {
            allocator = switch (impl) {
                case "sliver" -> SliverByteBufAllocator.DEFAULT;
                case "nettyPooled" -> new PooledByteBufAllocator(true);
                case "nettyAdaptive" -> new AdaptiveByteBufAllocator(true, true);
                default -> throw new IllegalArgumentException(impl);
            };
        }
    }

    /** The request size of the fixed-size shapes. */
    @State(Scope.Benchmark)
    public static class Size {
        @Param({"64", "256", "1024", "4096", "16384", "65536"})
        public int size;
    }

    private final ByteBuf[] live = new ByteBuf[LIVE_BUFFERS];
    private int cursor;

    /** Fails the run if the threads are not the kind this class promises (a missing executor setting, say). */
    @Setup
    public void checkThreads() {
        boolean fast = Thread.currentThread() instanceof FastThreadLocalThread;
        if (fast != onFastThreadLocalThreads()) {
            throw new IllegalStateException("benchmark thread " + Thread.currentThread() + " is "
                    + (fast ? "" : "not ") + "a FastThreadLocalThread; this benchmark expects the opposite");
        }
    }

    /** Whether JMH's threads must be FastThreadLocalThreads for this class. */
    boolean onFastThreadLocalThreads() {
        return false;
    }

    @TearDown
    public void releaseLive() {
        for (int i = 0; i < live.length; i++) {
            if (live[i] != null) {
                live[i].release();
                live[i] = null;
            }
        }
    }

    @Benchmark
    public long oneThread(Allocator a, Size s) {
        return cycle(a.allocator, s.size);
    }

    @Benchmark
    @Threads(2)
    public long twoThreads(Allocator a, Size s) {
        return cycle(a.allocator, s.size);
    }

    @Benchmark
    public ByteBuf replaceOneThread(Allocator a, Size s) {
        return replace(a.allocator, s.size);
    }

    @Benchmark
    @Threads(2)
    public ByteBuf replaceTwoThreads(Allocator a, Size s) {
        return replace(a.allocator, s.size);
    }

    @Benchmark
    public long randomSizesOneThread(Allocator a) {
        return cycle(a.allocator, RANDOM_SIZE[next()]);
    }

    @Benchmark
    @Threads(2)
    public long randomSizesTwoThreads(Allocator a) {
        return cycle(a.allocator, RANDOM_SIZE[next()]);
    }

    private static long cycle(ByteBufAllocator allocator, int size) {
        ByteBuf buf = allocator.directBuffer(size);
        buf.writeLong(42);
        long v = buf.getLong(0);
        buf.release();
        return v;
    }

    private ByteBuf replace(ByteBufAllocator allocator, int size) {
        int index = NEXT_INDEX[next()];
        ByteBuf old = live[index];
        if (old != null) {
            old.release();
        }
        ByteBuf buf = allocator.directBuffer(size);
        live[index] = buf;
        return buf;
    }

    private int next() {
        cursor = (cursor + 1) & (CYCLE - 1);
        return cursor;
    }

    /**
     * Netty's size classes (its {@code SizeClasses}: 16-byte steps up to 64 bytes, then four
     * classes per doubling) from {@code min} to {@code max} bytes.
     */
    static int[] nettySizeClasses(int min, int max) {
        List<Integer> sizes = new ArrayList<>();
        for (int size = 16; size <= 64; size += 16) {
            sizes.add(size);
        }
        for (int group = 64; group < max; group *= 2) {
            for (int k = 1; k <= 4; k++) {
                sizes.add(group + k * group / 4);
            }
        }
        return sizes.stream().mapToInt(Integer::intValue).filter(s -> s >= min && s <= max).toArray();
    }
}
