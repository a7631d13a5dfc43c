package dev.sliver.alloc;

/**
 * The process-wide allocator behind {@link ThreadCachingAllocator#shared()}: made on first use
 * (the holder idiom: class initialization is the lock), with default settings, registered in JMX
 * as {@code name=shared} where a platform MBean server exists, and never closed.
 */
final class SharedAllocator {
    static final ThreadCachingAllocator INSTANCE = ThreadCachingAllocator.builder().name("shared").build();

    static {
        try {
            INSTANCE.registerMXBean("shared");
        } catch (RuntimeException e) { // no JMX (a minimal runtime, a name taken): the allocator works without it
            System.getLogger("dev.sliver.alloc").log(System.Logger.Level.DEBUG, "no JMX for the shared allocator", e);
        }
    }

    private SharedAllocator() {
    }
}
