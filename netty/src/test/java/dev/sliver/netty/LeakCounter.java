package dev.sliver.netty;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Installs, before any ByteBuf class is initialized, a Netty leak detector at PARANOID level that
 * counts the leaks it reports, so tests can assert that none happened (and prove one is seen).
 */
final class LeakCounter {
    static final AtomicInteger LEAKS = new AtomicInteger();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        LEAKS.incrementAndGet();
                        super.reportTracedLeak(resourceType, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.incrementAndGet();
                        super.reportUntracedLeak(resourceType);
                    }
                };
            }
        });
    }

    private LeakCounter() {
    }

    static void install() {
        // the static initializer did it
    }

    /** Collects garbage and polls the detector (it reports on allocation) until quiet; returns the count. */
    static int settle(io.netty.buffer.ByteBufAllocator alloc) throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
            alloc.directBuffer(1).release();
        }
        return LEAKS.get();
    }
}
