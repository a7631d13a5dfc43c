package dev.sliver.alloc;

import dev.sliver.alloc.blocks.Blocks;
import dev.sliver.core.MemoryAllocator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.ObjectName;

/**
 * A thread-caching off-heap allocator in the tradition of tcmalloc, jemalloc and mimalloc, on
 * {@code java.lang.foreign} alone.
 *
 * <p>Requests up to 256 KiB (by default) come from per-thread caches of ~50 size classes, larger
 * ones from mappings of their own; the package description gives the layers and the files.
 *
 * <p><b>Threads.</b> Every method is thread-safe, and a block may be freed on any thread: it goes
 * into the freeing thread's cache. Virtual threads do not get caches of their own; they share a
 * few striped caches taken with a CAS. The cache of a platform thread that died is found by the
 * next thread that creates a cache (or by the decay thread) and returned to the central cache.
 * A loop that allocates and frees on one thread can skip finding its cache with {@link #local()}.
 *
 * <p><b>Memory.</b> Blocks are not zeroed, as with {@code malloc}; use {@link #allocateZeroed}.
 * Chunks and idle large blocks that stay unused for the decay period (10 s by default) are given
 * back to the OS by a daemon thread. Memory is only ever unmapped by closing its arena, so a
 * stale segment throws {@link IllegalStateException} rather than crashing; a stale segment into
 * memory that was reused reads the new owner's bytes, as with any allocator.
 *
 * <p><b>Misuse.</b> {@link #free} rejects, with an exception and no damage: a segment this
 * allocator did not hand out, a slice that does not start a block or has the wrong size class,
 * a block already freed, and a block held through the block door ({@code dev.sliver.alloc.blocks},
 * Sliver's Netty buffers' way to hold blocks without a segment each).
 */
public final class ThreadCachingAllocator implements MemoryAllocator, SegmentAllocator, AutoCloseable {
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    static {
        Blocks.install(new BlockDoor()); // the door's access to this package: see Blocks
    }

    /** The layers behind this door and every path through them but the fast ones (and the block door's, {@link BlockDoor}). */
    final Layers layers;
    final Stripes stripes; // package-private for tests: how many stripes a setting gives
    private final ThreadCaches caches;
    /** The caches by thread id, {@code ThreadCaches.byThreadId}, held here so the fast paths load it in one step. */
    private final ThreadCache[] byThreadId;
    private final long largeThreshold;
    private final String name;
    private final Thread decayThread;
    /** Set by {@link #close()}; read directly (no accessor) by the fast paths, here and in {@link LocalHandle}. */
    volatile boolean closed;
    private volatile ObjectName mxBeanName;

    /**
     * A new allocator; close it when done (its decay thread also ends if it becomes unreachable).
     *
     * @param settings the knobs, see {@link AllocatorSettings}
     */
    public ThreadCachingAllocator(AllocatorSettings settings) {
        this.largeThreshold = settings.largeThreshold();
        this.name = settings.name() != null ? settings.name() : "allocator-" + INSTANCES.incrementAndGet();
        this.layers = new Layers(settings, name);
        this.caches = layers.caches;
        this.byThreadId = caches.byThreadId;
        this.stripes = layers.stripes;
        this.decayThread = DecayThread.start(this, name, settings.decay().toNanos());
    }

    /**
     * A builder of {@link AllocatorSettings}, starting from the defaults, whose
     * {@link AllocatorSettings.Builder#build()} makes the allocator.
     *
     * @return a new builder
     */
    public static AllocatorSettings.Builder builder() {
        return new AllocatorSettings.Builder();
    }

    /**
     * The process-wide allocator: default settings, never closed, visible in JMX as {@code name=shared}.
     *
     * @return the shared allocator
     */
    public static ThreadCachingAllocator shared() {
        return SharedAllocator.INSTANCE;
    }

    /**
     * Allocates {@code byteSize} bytes aligned to {@code alignment}; the memory is not zeroed.
     *
     * @param byteSize  the size in bytes, {@code >= 0}
     * @param alignment a power of two; every block is aligned to at least 16
     * @return a segment of exactly {@code byteSize} bytes, owned by the caller until {@link #free}
     * @throws IllegalArgumentException if the size is negative or the alignment not a power of two
     * @throws IllegalStateException    if the allocator is closed
     * @throws OutOfMemoryError         if the OS refuses the memory, or the size exceeds any address space
     */
    @Override
    public MemorySegment allocate(long byteSize, long alignment) {
        // The fast path: a request of 0..largeThreshold bytes aligned to at most 16, on a platform
        // thread whose cache is in the table by thread id. Anything else (bad arguments, virtual
        // threads, a first call, over-alignment, large sizes, a closed allocator) leaves through
        // one call, Layers.allocate. Why it needs no synchronization but the volatile read of
        // closed:
        // 1. The table is read racily and may show null, a dead thread's cache or another live
        //    thread's. A cache is used only if its thread is this one; thread is a final field,
        //    so a racily read cache shows its true thread (JLS 17.5), and no other thread passes
        //    the test. (ThreadLocal.get cost about 5 ns here; this is two loads and a compare.
        //    Of two live threads whose ids collide, the second goes to the ThreadLocal.)
        // 2. The cache's arrays are plain: its thread made the cache and is the only one that
        //    touches it while it lives. (The reaper's argument for reading them after it died
        //    is on ThreadCaches.reapDeadThreads.)
        // 3. Handing out writes the block's slot in its span (Span.handOut) plainly: the block
        //    came off this thread's own cache, so no other thread may write that slot now. A
        //    free, on any thread, needs this very segment object (Span.free CASes the slot from
        //    it), and whatever hand-off gave that thread the segment orders this write before
        //    its CAS. A stale segment never matches: a segment object is handed out once.
        // 4. A close() racing this call may hand out a block whose chunk it then unmaps; the
        //    segment belongs to the chunk's closed arena and throws on access, never crashes.
        Thread thread = Thread.currentThread();
        ThreadCache cache = byThreadId[(int) thread.threadId() & (ThreadCaches.TABLE_SLOTS - 1)];
        if (!isCacheable(byteSize, alignment) || cache == null || cache.thread != thread || closed) {
            return layers.allocate(byteSize, alignment, thread, closed);
        }
        return cache.allocate(SizeClasses.classOf(byteSize), byteSize);
    }

    /** The cache of {@code thread} if the fast paths may use it (found in the table, allocator open), else null. */
    ThreadCache fastCache(Thread thread) {
        ThreadCache cache = byThreadId[(int) thread.threadId() & (ThreadCaches.TABLE_SLOTS - 1)];
        return cache == null || cache.thread != thread || closed ? null : cache;
    }

    /** Whether a thread cache can serve the request as it is: 0..largeThreshold bytes, a power-of-two alignment of at most 16. */
    boolean isCacheable(long byteSize, long alignment) {
        return Long.compareUnsigned(byteSize, largeThreshold) <= 0
                && Long.compareUnsigned(alignment - 1, SizeClasses.MIN_ALIGNMENT - 1) <= 0 && (alignment & (alignment - 1)) == 0;
    }

    /**
     * The bytes a request of {@code byteSize} bytes (aligned to at most 16) really occupies: its
     * size class's block size, or {@code byteSize} itself above the large threshold. Asking for
     * {@code usableSize(n)} bytes takes the same block as asking for {@code n}, so a caller that
     * may grow (a buffer, say) can take the whole block up front and grow into it without a copy.
     *
     * @param byteSize a request size, {@code >= 0}
     * @return the bytes of the block such a request gets, at least {@code byteSize}
     * @throws IllegalArgumentException if the size is negative
     */
    public long usableSize(long byteSize) {
        if (byteSize < 0) {
            throw new IllegalArgumentException("negative size: " + byteSize);
        }
        return byteSize > largeThreshold ? byteSize : SizeClasses.size(SizeClasses.classOf(byteSize));
    }

    /**
     * This allocator bound to the calling platform thread, minus the lookup of the thread's cache
     * on every call: for a loop that allocates and frees on one thread (a decoder, an event loop).
     * Never wrong on another thread, only not faster there; see {@link LocalHandle}.
     *
     * @return a handle bound to the calling thread
     * @throws IllegalStateException if the allocator is closed and the thread has no cache yet
     */
    public LocalHandle local() {
        Thread thread = Thread.currentThread();
        return new LocalHandle(this, thread.isVirtual() ? null : caches.current());
    }

    /**
     * Allocates {@code byteSize} bytes aligned to 1 (in practice 16), not zeroed.
     *
     * @param byteSize the size in bytes, {@code >= 0}
     * @return a segment of exactly {@code byteSize} bytes, owned by the caller until {@link #free}
     * @throws IllegalArgumentException if the size is negative
     * @throws IllegalStateException    if the allocator is closed
     */
    @Override
    public MemorySegment allocate(long byteSize) {
        return allocate(byteSize, 1);
    }

    /**
     * Like {@link #allocate(long, long)}, with every byte set to zero.
     *
     * @param byteSize  the size in bytes, {@code >= 0}
     * @param alignment a power of two
     * @return a zeroed segment of exactly {@code byteSize} bytes
     * @throws IllegalArgumentException if the size is negative or the alignment not a power of two
     * @throws IllegalStateException    if the allocator is closed
     */
    public MemorySegment allocateZeroed(long byteSize, long alignment) {
        return allocate(byteSize, alignment).fill((byte) 0);
    }

    /**
     * Gives back a segment returned by {@link #allocate} on this allocator, from any thread.
     *
     * @param segment the very segment {@code allocate} returned (not a slice or copy of it)
     * @throws IllegalArgumentException if the segment is not a block of this allocator, or is a slice of one
     * @throws IllegalStateException    if the block is not allocated (a double or stale free), or the allocator is closed
     */
    @Override
    public void free(MemorySegment segment) {
        // The fast path: a platform thread whose cache is in the table, freeing a block of a
        // span. ThreadCache.free validates the block with one CAS on its slot (Span.free) and
        // pushes it. The table and the cache are safe as in allocate (points 1 and 2 there). The
        // CAS is the only shared write: it succeeds only for the very segment handed out (point
        // 3 there orders that write before it), and of two racing frees of one segment exactly
        // one succeeds, the other throws. After it the block is this thread's alone, so the push
        // is plain. Anything else (a virtual thread, a first call, a large block, a foreign
        // segment, a closed allocator) leaves through Layers.free.
        Thread thread = Thread.currentThread();
        ThreadCache cache = byThreadId[(int) thread.threadId() & (ThreadCaches.TABLE_SLOTS - 1)];
        if (cache == null || cache.thread != thread || closed || !cache.free(segment)) {
            layers.free(segment, thread, closed);
        }
    }

    /** Returns the caches of dead threads to the central cache (see {@link ThreadCaches#reapDeadThreads}). */
    void reapDeadThreads() {
        caches.reapDeadThreads();
    }

    /**
     * One decay tick as if the clock read {@code now} (System.nanoTime() for the decay thread; a
     * later time in tests, which so observe decay without waiting for it): reap dead threads,
     * drain central stacks that did not move since the last tick, unmap chunks and idle large
     * blocks unused for the decay period.
     */
    void decayAt(long now) {
        layers.decayAt(now);
    }

    /**
     * A snapshot of the allocator's counters and memory. Live threads' counts are read without
     * stopping them: under load the snapshot is approximate, at rest it is exact.
     *
     * @return the snapshot
     */
    public AllocatorStats stats() {
        return layers.stats();
    }

    /**
     * Registers the JMX view, {@link ThreadCachingAllocatorMXBean}, in the platform MBean server as
     * {@code dev.sliver:type=ThreadCachingAllocator,name=<beanName>}; it is unregistered on close.
     *
     * @param beanName the {@code name} key of the object name (quoted as needed)
     * @return the name registered
     * @throws IllegalStateException if the MBean server refuses it (a bean of that name exists, say)
     */
    public ObjectName registerMXBean(String beanName) {
        ObjectName objectName = AllocatorJmx.register(this, beanName);
        mxBeanName = objectName;
        return objectName;
    }

    /**
     * Unmaps all memory. Segments still held by callers become inaccessible (they throw); further
     * allocations and frees throw. Closing again does nothing.
     *
     * @throws UnsupportedOperationException if this is the {@link #shared()} allocator
     */
    @Override
    public void close() {
        if (this == SharedAllocator.INSTANCE) {
            throw new UnsupportedOperationException("the shared allocator cannot be closed");
        }
        if (!caches.close()) {
            return;
        }
        closed = true;
        decayThread.interrupt();
        ObjectName bean = mxBeanName;
        if (bean != null) {
            AllocatorJmx.unregister(bean);
        }
        layers.unmapAll();
    }

    /** This allocator's name, as set or made up ({@code allocator-N}). */
    String name() {
        return name;
    }

    /** The error of any call on a closed allocator, named {@code allocatorName}: the one wording, wherever the call finds it closed. */
    static IllegalStateException closedError(String allocatorName) {
        return new IllegalStateException("allocator " + allocatorName + " is closed");
    }

    @Override
    public String toString() {
        return "ThreadCachingAllocator[" + name + (closed ? ", closed" : "") + "]";
    }
}
