package dev.sliver.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link ByteBufAllocatorBench} on {@code FastThreadLocalThread}s, Netty's event-loop threads,
 * where Netty's pooled and adaptive allocators use their thread-local caches: each fork runs
 * JMH's threads through {@link FastThreadLocalExecutor}, as Netty's own microbench module does.
 * The same run covers both kinds of thread with {@code 'bench.ByteBufAllocator'}.
 */
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "-Djmh.executor=CUSTOM", "-Djmh.executor.class=dev.sliver.bench.FastThreadLocalExecutor"})
public class ByteBufAllocatorFtlBench extends ByteBufAllocatorBench {
    @Override
    boolean onFastThreadLocalThreads() {
        return true;
    }
}
