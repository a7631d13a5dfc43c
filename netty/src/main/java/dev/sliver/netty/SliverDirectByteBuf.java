package dev.sliver.netty;

import dev.sliver.alloc.ThreadCachingAllocator;
import dev.sliver.alloc.blocks.BlockSink;
import dev.sliver.alloc.blocks.Blocks;
import io.netty.buffer.ByteBuf;
import io.netty.util.IllegalReferenceCountException;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A writable direct ByteBuf whose memory is one block of a Sliver allocator, given back on the
 * final release.
 *
 * <p><b>No segment of its own.</b> The buffer holds its block through the allocator's block door
 * ({@link Blocks}): it reads and writes through its chunk's segment ({@link ChunkView}, shared by
 * the chunk's buffers) at {@code offset + index}, after its own check that
 * {@code [index, index + width)} lies in {@code [0, capacity)} ({@link #at}; it never depends on
 * Netty's {@code io.netty.buffer.checkBounds}). The capacity never passes the block, so a correct
 * check keeps every access in the buffer's own block; a wrong one could at worst touch another
 * block of the same chunk, never unmapped memory: the chunk's segment is bounds-checked, and
 * throws once the chunk is unmapped. That is the guarantee Netty's own pooled buffers give. The
 * reference count guarantees the block is freed exactly once, and the door rejects a second free.
 * Above the allocator's large threshold the block is a segment of its own, in a view of its own.
 *
 * <p><b>Growth.</b> The block may be larger than the capacity: growing within it only moves the
 * capacity. Its size is known without a field: at least {@code usableSize(capacity)}, since the
 * block was taken for a capacity at least as large and the capacity only shrinks inside it.
 * Growing past that takes a larger block, copies and frees the old one.
 *
 * <p>Heap per buffer: this object alone, 48 bytes with compressed oops (the view is per chunk).
 * Not thread-safe, as Netty's buffers are not; its reference count is.
 */
final class SliverDirectByteBuf extends SegmentByteBuf implements BlockSink {
    /** The chunk (or own large block) and the allocator; the allocator's {@code noBlock} once released. */
    private ChunkView view;
    /** Where the block starts in {@code view.memory()}. */
    private int offset;
    private int capacity;

    SliverDirectByteBuf(SliverByteBufAllocator alloc, int initialCapacity, int maxCapacity) {
        super(maxCapacity);
        this.view = alloc.noBlock;
        takeBlock(alloc, initialCapacity);
        this.capacity = initialCapacity;
    }

    /** Points view and offset at a new block for {@code size} bytes; the old one, if any, is the caller's to free. */
    private void takeBlock(SliverByteBufAllocator alloc, int size) {
        ThreadCachingAllocator allocator = alloc.allocator;
        if (!Blocks.allocate(allocator, size, this)) {
            MemorySegment own = allocator.allocate(size, 1); // above the large threshold: a mapping of its own
            view = new ChunkView(own, alloc, true);
            offset = 0;
        }
    }

    /**
     * The block door's hand-over, called by {@link Blocks#allocate} within {@link #takeBlock}.
     * (Reachable from elsewhere only on the class path, where a call could at worst point this
     * buffer at a segment the caller holds already: the door's free then rejects it.)
     */
    @Override
    public void take(MemorySegment chunk, int blockOffset, int blockSize) {
        this.view = view.alloc().viewOf(chunk);
        this.offset = blockOffset;
    }

    @Override
    MemorySegment memory() {
        return view.memory();
    }

    @Override
    long at(int index, int length) {
        return offset + Objects.checkFromIndexSize(index, length, capacity);
    }

    @Override
    public SliverByteBufAllocator alloc() {
        return view.alloc();
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** The bytes the block surely has: its whole size for a large block, else the size class of the capacity. */
    private long blockSize() {
        ChunkView v = view;
        return v.ownBlock() ? v.memory().byteSize() : v.alloc().allocator.usableSize(capacity);
    }

    /** The buffer's whole block (tests: which block it holds, and how large). */
    MemorySegment block() {
        return memory().asSlice(offset, blockSize());
    }

    @Override
    public ByteBuf capacity(int newCapacity) {
        checkNewCapacity(newCapacity);
        ChunkView old = view;
        if (old.memory() == MemorySegment.NULL) {
            throw new IllegalReferenceCountException(0); // released: no block to grow (even with checkAccessible=false)
        }
        if (newCapacity > blockSize()) {
            int oldOffset = offset;
            takeBlock(old.alloc(), newCapacity);
            MemorySegment.copy(old.memory(), oldOffset, view.memory(), offset, capacity);
            free(old, oldOffset);
        }
        capacity = newCapacity;
        trimIndicesToCapacity(newCapacity);
        return this;
    }

    /** Writes that fit in the block need no call to capacity(int). */
    @Override
    public int maxFastWritableBytes() {
        return (int) Math.min(blockSize(), maxCapacity()) - writerIndex();
    }

    @Override
    protected void deallocate() {
        ChunkView old = view;
        int oldOffset = offset;
        capacity = 0; // accesses after the final release fail the check
        view = old.alloc().noBlock;
        free(old, oldOffset);
    }

    private static void free(ChunkView view, int offset) {
        ThreadCachingAllocator allocator = view.alloc().allocator;
        if (view.ownBlock()) {
            allocator.free(view.memory());
        } else {
            Blocks.free(allocator, view.memory(), offset);
        }
    }
}
