package dev.sliver.bench;

import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * The design note's own workload: 8 threads, sizes (i % 16 + 1) x 64 bytes, freed in batches of
 * 100. One operation is one allocation (and its later free); reported as ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(8)
public class DesignNoteBench {
    @Param({"sliver", "nettyPooled", "nettyAdaptive", "malloc"})
    public String impl;

    private Impl allocator;
    private final Object[] batch = new Object[100];

    @Setup
    public void setUp() {
        allocator = Impl.of(impl);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public void allocateHundredThenFree() {
        for (int i = 0; i < 100; i++) {
            batch[i] = allocator.allocate((i % 16 + 1) * 64);
        }
        for (int i = 0; i < 100; i++) {
            allocator.free(batch[i]);
        }
    }
}
