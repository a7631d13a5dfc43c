package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.AdaptiveByteBufAllocator;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A Netty {@link io.netty.buffer.ByteBufAllocator} whose direct buffers are blocks of a
 * {@link ThreadCachingAllocator}, returned to it on the final release. Heap buffers come from a
 * pooling heap allocator (Netty's adaptive one) owned by this allocator, so that heap buffers are
 * recycled too; their {@code alloc()} is that heap allocator.
 *
 * <p>Direct buffers go through {@code toLeakAwareBuffer}, so Netty's leak detector
 * ({@code -Dio.netty.leakDetection.level=paranoid}) reports buffers user code forgets to release.
 * Buffers access memory through bounds-checked {@code MemorySegment}s only: this works whether
 * or not Netty may use the JDK's Unsafe. A direct buffer holds no segment of its own but reads
 * its chunk's, after bounds checks of its own (see {@code SliverDirectByteBuf}): 48 bytes of heap
 * per buffer. Thread-safe; use it with
 * {@code bootstrap.option(ChannelOption.ALLOCATOR, SliverByteBufAllocator.DEFAULT)}.
 */
public final class SliverByteBufAllocator extends AbstractByteBufAllocator implements ByteBufAllocatorMetricProvider {
    /** Over {@link ThreadCachingAllocator#shared()}, preferring direct buffers. */
    public static final SliverByteBufAllocator DEFAULT = new SliverByteBufAllocator(ThreadCachingAllocator.shared());
    /** Slots of the view cache: 1,024 chunks of 4 MiB, 4 GiB of buffers before two chunks share a slot. */
    private static final int VIEW_SLOTS = 1024;

    /** Where direct buffers' memory comes from; read directly by {@link SliverDirectByteBuf}. */
    final ThreadCachingAllocator allocator;
    /** The view of a buffer that holds no block (released): this allocator, no memory. */
    final ChunkView noBlock = new ChunkView(MemorySegment.NULL, this, false);
    /**
     * Views of the chunks buffers lie in, direct-mapped by chunk address ({@link #viewOf}); read
     * and written without synchronization: a view is immutable, so a racy read sees a whole one
     * or null, and a lost write only costs a second view of a chunk.
     */
    private final ChunkView[] views = new ChunkView[VIEW_SLOTS];
    private final AdaptiveByteBufAllocator heap = new AdaptiveByteBufAllocator(false, true);
    private final ByteBufAllocatorMetric metric;

    /**
     * Direct buffers from {@code allocator}; {@code buffer()} gives direct buffers.
     *
     * @param allocator where the direct buffers' memory comes from
     * @throws NullPointerException if {@code allocator} is null
     */
    public SliverByteBufAllocator(ThreadCachingAllocator allocator) {
        super(true);
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.metric = new ByteBufAllocatorMetric() {
            @Override
            public long usedHeapMemory() {
                return heap.metric().usedHeapMemory();
            }

            @Override
            public long usedDirectMemory() {
                return allocator.stats().bytesInUse();
            }

            @Override
            public String toString() {
                return allocator.stats().toString();
            }
        };
    }

    /**
     * The Sliver allocator behind the direct buffers (for its full statistics).
     *
     * @return the allocator this was made with
     */
    public ThreadCachingAllocator allocator() {
        return allocator;
    }

    /** The view of {@code chunk}: the cached one if it is of this very segment, else a new one that takes its slot. */
    ChunkView viewOf(MemorySegment chunk) {
        int slot = (int) (chunk.address() >>> 22) & (VIEW_SLOTS - 1);
        ChunkView view = views[slot];
        if (view == null || view.memory() != chunk) {
            view = new ChunkView(chunk, this, false);
            views[slot] = view;
        }
        return view;
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return heap.heapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return toLeakAwareBuffer(new SliverDirectByteBuf(this, initialCapacity, maxCapacity));
    }

    /** True: direct buffers are recycled through Sliver's caches (and heap buffers through the heap pool). */
    @Override
    public boolean isDirectBufferPooled() {
        return true;
    }

    /** Used direct memory is Sliver's bytes in use; used heap memory is the heap pool's. */
    @Override
    public ByteBufAllocatorMetric metric() {
        return metric;
    }
}
