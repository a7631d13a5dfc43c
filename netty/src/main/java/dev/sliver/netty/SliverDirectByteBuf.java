package dev.sliver.netty;

import dev.sliver.core.MemoryAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.lang.foreign.MemorySegment;

/**
 * A writable direct ByteBuf whose memory is a block of a Sliver allocator, given back on the
 * final release. Growing it allocates a larger block, copies, and frees the old one.
 */
final class SliverDirectByteBuf extends SegmentByteBuf {
    private final MemoryAllocator memoryAllocator;

    SliverDirectByteBuf(ByteBufAllocator alloc, MemoryAllocator memoryAllocator, int initialCapacity, int maxCapacity) {
        super(alloc, memoryAllocator.allocate(initialCapacity, 1), maxCapacity);
        this.memoryAllocator = memoryAllocator;
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        checkNewCapacity(newCapacity);
        MemorySegment old = memory;
        if (newCapacity == old.byteSize()) {
            return this;
        }
        MemorySegment grown = memoryAllocator.allocate(newCapacity, 1);
        MemorySegment.copy(old, 0, grown, 0, Math.min(old.byteSize(), newCapacity));
        memory = grown;
        trimIndicesToCapacity(newCapacity);
        memoryAllocator.free(old);
        return this;
    }

    @Override
    protected void deallocate() {
        MemorySegment old = memory;
        memory = MemorySegment.NULL; // reads after the final release fail their bounds check
        memoryAllocator.free(old);
    }
}
