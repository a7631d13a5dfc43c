package dev.sliver.alloc.blocks;

import java.lang.foreign.MemorySegment;

/**
 * Receives a block handed out by {@link Blocks#allocate}: the chunk it lies in and where.
 * Called once, on the allocating thread, before {@code allocate} returns.
 */
@FunctionalInterface
public interface BlockSink {
    /**
     * Takes the block {@code [offset, offset + blockSize)} of {@code chunk}.
     *
     * @param chunk     the bounds-checked segment of the whole chunk (or of the block alone, for a large block)
     * @param offset    where the block starts in {@code chunk}
     * @param blockSize the block's bytes: the size class's size, at least the size asked for
     */
    void take(MemorySegment chunk, int offset, int blockSize);
}
