package dev.sliver.bench;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The executor JMH runs its benchmark threads on when a fork is started with
 * {@code -Djmh.executor=CUSTOM -Djmh.executor.class=dev.sliver.bench.FastThreadLocalExecutor}:
 * Netty's {@link DefaultThreadFactory} makes {@code FastThreadLocalThread}s, the kind of thread an
 * event loop runs on. JMH makes it reflectively through this constructor.
 */
public final class FastThreadLocalExecutor extends ThreadPoolExecutor {
    /**
     * A fixed pool of {@code threads} FastThreadLocalThreads named after {@code prefix}.
     *
     * @param threads the number of threads JMH asks for
     * @param prefix  the name prefix JMH gives
     */
    public FastThreadLocalExecutor(int threads, String prefix) {
        super(threads, threads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix, true));
    }
}
