package dev.sliver.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The shared reference count behind every {@link Slice} cut from one block of memory. When the
 * count drops from one to zero the release action runs, exactly once, on the releasing thread.
 */
final class MemoryOwner {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(MemoryOwner.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Runnable release;
    private final LeakDetector.Tracker tracker;
    @SuppressWarnings("unused") // accessed through COUNT
    private volatile int count = 1;

    MemoryOwner(Runnable release, long byteSize) {
        this.release = release;
        this.tracker = LeakDetector.track(this, byteSize);
    }

    /** Adds a reference; refuses to resurrect memory whose count already reached zero. */
    void retain() {
        for (;;) {
            int c = (int) COUNT.getVolatile(this);
            if (c <= 0) {
                throw new IllegalStateException("memory already released (reference count 0)");
            }
            if (c == Integer.MAX_VALUE) {
                throw new IllegalStateException("reference count overflow");
            }
            if (COUNT.compareAndSet(this, c, c + 1)) {
                return;
            }
        }
    }

    /** Drops a reference and frees the memory when it was the last one. */
    void release() {
        for (;;) {
            int c = (int) COUNT.getVolatile(this);
            if (c <= 0) {
                throw new IllegalStateException("memory released more times than retained (reference count 0)");
            }
            if (COUNT.compareAndSet(this, c, c - 1)) {
                if (c == 1) {
                    if (tracker != null) {
                        tracker.released();
                    }
                    release.run();
                }
                return;
            }
        }
    }
}
