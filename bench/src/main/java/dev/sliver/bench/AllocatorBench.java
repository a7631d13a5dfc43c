package dev.sliver.bench;

import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.util.concurrent.TimeUnit;

/**
 * One allocate + free per operation, for each allocator and size; a batch variant (64 allocations
 * then 64 frees); a two-thread variant of the single op ({@code twoThreads}); and the
 * cross-thread producer/consumer variant in {@link CrossThreadBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AllocatorBench {
    @Param({"sliver", "nettyPooled", "nettyAdaptive", "malloc", "jdkArena"})
    public String impl;

    @Param({"64", "512", "4096", "32768"})
    public int size;

    private Impl allocator;
    private final Object[] handles = new Object[64];

    @Setup
    public void setUp() {
        allocator = Impl.of(impl);
    }

    @Benchmark
    public void allocateFree(Blackhole bh) {
        Object h = allocator.allocate(size);
        bh.consume(h);
        allocator.free(h);
    }

    @Benchmark
    @Threads(2)
    public void twoThreads(Blackhole bh) {
        allocateFree(bh);
    }

    @Benchmark
    @OperationsPerInvocation(64)
    public void batch64() {
        for (int i = 0; i < 64; i++) {
            handles[i] = allocator.allocate(size);
        }
        for (int i = 0; i < 64; i++) {
            allocator.free(handles[i]);
            handles[i] = null;
        }
    }
}
