package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import io.netty.buffer.ByteBuf;

import java.lang.foreign.MemorySegment;

/**
 * A writable direct ByteBuf whose memory is one block of a Sliver allocator, given back on the
 * final release.
 *
 * <p>The segment spans the whole block ({@link ThreadCachingAllocator#usableSize}), which may be
 * more than the capacity: growing within the block only moves the capacity, with no new block
 * and no copy; growing past it allocates a larger block, copies and frees the old one. Bytes
 * between the capacity and the block's end belong to this buffer alone, so the segment's own
 * bounds check keeps every access inside memory the buffer owns, whatever Netty's
 * {@code io.netty.buffer.checkBounds} says; Netty's index checks keep it inside the capacity.
 *
 * <p>The buffer holds its {@link SliverByteBufAllocator} as that type, which is both what
 * {@link #alloc()} reports and, through its final {@code allocator} field, where the memory comes
 * from and goes back to: no downcast of {@code alloc()}. A field of its own for the
 * {@code ThreadCachingAllocator} would cost 8 bytes per buffer (56 instead of 48).
 *
 * <p>Heap per buffer: this object (48 bytes with compressed oops) and the block's segment (40).
 */
final class SliverDirectByteBuf extends SegmentByteBuf {
    private final SliverByteBufAllocator alloc;
    private int capacity;

    SliverDirectByteBuf(SliverByteBufAllocator alloc, int initialCapacity, int maxCapacity) {
        super(block(alloc.allocator, initialCapacity), maxCapacity);
        this.alloc = alloc;
        this.capacity = initialCapacity;
    }

    private static MemorySegment block(ThreadCachingAllocator allocator, int capacity) {
        return allocator.allocate(allocator.usableSize(capacity), 1);
    }

    @Override
    public SliverByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        checkNewCapacity(newCapacity);
        MemorySegment old = segment;
        if (newCapacity > old.byteSize()) {
            ThreadCachingAllocator allocator = alloc.allocator;
            MemorySegment grown = block(allocator, newCapacity);
            MemorySegment.copy(old, 0, grown, 0, capacity);
            segment = grown;
            allocator.free(old);
        }
        capacity = newCapacity;
        trimIndicesToCapacity(newCapacity);
        return this;
    }

    /** Writes that fit in the block need no call to capacity(int). */
    @Override
    public int maxFastWritableBytes() {
        return Math.min((int) segment.byteSize(), maxCapacity()) - writerIndex();
    }

    @Override
    protected void deallocate() {
        MemorySegment old = segment;
        segment = MemorySegment.NULL; // reads after the final release fail their bounds check
        alloc.allocator.free(old);
    }
}
