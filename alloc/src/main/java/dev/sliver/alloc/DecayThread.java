package dev.sliver.alloc;

import java.lang.ref.WeakReference;
import java.util.concurrent.locks.LockSupport;

/**
 * An allocator's decay thread: a daemon that runs {@link ThreadCachingAllocator#decayAt} every
 * quarter of the decay period (clamped to 10 ms .. 1 s), until the allocator is closed. It holds
 * the allocator weakly, so that an allocator dropped without {@code close()} can still be
 * collected; the thread then ends at its next tick.
 */
final class DecayThread implements Runnable {
    private final WeakReference<ThreadCachingAllocator> allocator;
    private final long tickNanos;

    private DecayThread(ThreadCachingAllocator allocator, long tickNanos) {
        this.allocator = new WeakReference<>(allocator);
        this.tickNanos = tickNanos;
    }

    /** Starts the decay thread of {@code allocator}, named {@code sliver-decay-<name>}; interrupt it to stop it. */
    static Thread start(ThreadCachingAllocator allocator, String name, long decayNanos) {
        Thread thread = Thread.ofPlatform().daemon().name("sliver-decay-" + name)
                .unstarted(new DecayThread(allocator, Math.clamp(decayNanos / 4, 10_000_000L, 1_000_000_000L)));
        thread.start();
        return thread;
    }

    @Override
    public void run() {
        while (!Thread.currentThread().isInterrupted()) {
            LockSupport.parkNanos(tickNanos);
            ThreadCachingAllocator a = allocator.get();
            if (a == null || a.closed) {
                return;
            }
            try {
                a.decayAt(System.nanoTime());
            } catch (RuntimeException | Error e) {
                System.getLogger("dev.sliver.alloc").log(System.Logger.Level.ERROR, "decay failed", e);
            }
        }
    }
}
