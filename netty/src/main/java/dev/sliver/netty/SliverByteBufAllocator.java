package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.AdaptiveByteBufAllocator;

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
 * or not Netty may use the JDK's Unsafe. Thread-safe; use it with
 * {@code bootstrap.option(ChannelOption.ALLOCATOR, SliverByteBufAllocator.DEFAULT)}.
 */
public final class SliverByteBufAllocator extends AbstractByteBufAllocator implements ByteBufAllocatorMetricProvider {
    /** Over {@link ThreadCachingAllocator#shared()}, preferring direct buffers. */
    public static final SliverByteBufAllocator DEFAULT = new SliverByteBufAllocator(ThreadCachingAllocator.shared());

    /** Where direct buffers' memory comes from; read directly by {@link SliverDirectByteBuf}. */
    final ThreadCachingAllocator allocator;
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
