package dev.sliver.bench;

import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Control;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A producer allocates and hands each block to a consumer that frees it: every free is a
 * cross-thread free. The queue is a single-producer single-consumer ring with the least
 * synchronization that is correct, so that the allocators, not the queue, are measured.
 * Throughput is reported per group (one producer + one consumer), so ops/us counts blocks moved.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CrossThreadBench {
    @Param({"sliver", "nettyPooled", "nettyAdaptive", "malloc"})
    public String impl;

    @Param({"64", "4096"})
    public int size;

    private Impl allocator;
    private final Object[] ring = new Object[1024];
    private final AtomicLong head = new AtomicLong(); // next slot the consumer reads
    private final AtomicLong tail = new AtomicLong(); // next slot the producer writes

    @Setup
    public void setUp() {
        allocator = Impl.of(impl);
    }

    @TearDown
    public void drain() {
        for (long h = head.get(); h < tail.get(); h++) {
            allocator.free(ring[(int) (h & (ring.length - 1))]);
        }
        head.set(tail.get());
    }

    @Benchmark
    @Group("handOff")
    public void produce(Control control) {
        long t = tail.get();
        while (t - head.get() == ring.length) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        ring[(int) (t & (ring.length - 1))] = allocator.allocate(size);
        tail.lazySet(t + 1);
    }

    @Benchmark
    @Group("handOff")
    public void consume(Control control) {
        long h = head.get();
        while (h == tail.get()) {
            if (control.stopMeasurement) {
                return;
            }
            Thread.onSpinWait();
        }
        int slot = (int) (h & (ring.length - 1));
        Object block = ring[slot];
        ring[slot] = null;
        head.lazySet(h + 1);
        allocator.free(block);
    }
}
